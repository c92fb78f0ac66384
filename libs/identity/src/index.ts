export * from './identity.module';
export * from './identity.service';
export * from './auth-user';
export * from './identity.types';
export * from './invite-redeemer';
export * from './session-events';
export { newToken, tokenHash } from './tokens';
export * from './session-cookie';
export { passwordProblem, PASSWORD_RULES } from './password-policy';

export * from './agreements.module';
export * from './server-signing-key.service';
export * from './key-fingerprint';
export * from './agreement-markdown';
export * from './agreement-pdf';
export * from './agreement-recorder';
export * from './agreement-export.service';
export * from './agreement.types';
export type { AgreementStatus, CommitmentStatus } from './agreement.entities';

import { DomainError, type ErrorCode } from '@parley/common';
import { isDomainRuleError } from '@parley/domain';

// The one place a libs/domain rule error becomes the contract's DomainError.
export function rethrowDomainRule(e: unknown): never {
  if (isDomainRuleError(e)) throw new DomainError(e.code as ErrorCode, e.message, Object.keys(e.fields).length ? e.fields : undefined);
  throw e;
}

export function domainRule<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    return rethrowDomainRule(e);
  }
}

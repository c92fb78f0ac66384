// Raised when input breaks a domain rule. The domain lib cannot depend on libs/common, so
// the server maps this to its own error by `code` (a contract code, e.g. BAD_USER_INPUT)
// and `fields` (the bad fields, for extensions.fields).
export class DomainRuleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainRuleError';
  }
}

export function isDomainRuleError(e: unknown): e is DomainRuleError {
  return e instanceof DomainRuleError;
}

// One message naming every bad field, as libs/common's badInput does.
export function badUserInput(fields: Record<string, string>): DomainRuleError {
  const message = `Invalid ${Object.keys(fields).join(', ')}: ${Object.values(fields).join('; ')}`;
  return new DomainRuleError('BAD_USER_INPUT', message, fields);
}

// Plain words for the schema's enums (the values come typed from the generated operations).
const ROLE: Record<string, string> = { FACILITATOR: 'Facilitator', NEGOTIATOR: 'Negotiator', OBSERVER: 'Observer' };
const ATTRIBUTION: Record<string, string> = {
  ATTRIBUTED: 'Names and parties shown',
  PARTY_ONLY: 'Parties shown, names hidden',
  ANONYMOUS: 'Anonymous: neither names nor parties shown',
};

export const roleWords = (role: string): string => ROLE[role] ?? role;
export const attributionWords = (a: string): string => ATTRIBUTION[a] ?? a;

export function when(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

// "1 proposal", "2 proposals", "1 party", "0 parties"
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

// The web app's session: the same opaque token as `Authorization: Bearer`, carried in an
// HttpOnly, SameSite=Strict cookie (Secure over HTTPS) so it never reaches JavaScript.
export const SESSION_COOKIE = 'parley_session';
// a browser asks for a cookie session (instead of a token in the answer) with this header
export const COOKIE_MODE_HEADER = 'x-parley-session';

type Headers = Record<string, string | string[] | undefined>;

export function readCookie(headers: Headers, name: string = SESSION_COOKIE): string | null {
  const raw = headers.cookie;
  const header = Array.isArray(raw) ? raw.join('; ') : raw;
  if (!header || header.length > 8192) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{1,200}$/.test(value) ? value : null;
  }
  return null;
}

export function wantsCookieSession(headers: Headers): boolean {
  return headers[COOKIE_MODE_HEADER] === 'cookie';
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Expires=${expiresAt.toUTCString()}`];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  const attrs = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Strict', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'];
  if (secure) attrs.push('Secure');
  return attrs.join('; ');
}

// Browsers always send Origin on a WebSocket handshake. An allowed origin is one listed in
// PARLEY_ORIGINS, or, when none are listed, the server's own (the Host the browser used).
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (allowed.length) return allowed.includes(parsed.origin);
  return !!host && parsed.host === host;
}

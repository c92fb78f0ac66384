// A party's own Ed25519 key in this browser (WebCrypto + IndexedDB). The private key never
// leaves the browser except as a PEM file the person asks for.
//
// Decision on extractability: the key kept in IndexedDB is always non-extractable, so no script
// can read it back later. When the person asks for an exportable key, the pair is generated
// extractable, its PKCS#8 PEM is handed over once (a download), and only a non-extractable
// copy re-imported from those bytes is stored. Without that choice the pair is generated
// non-extractable from the start.

export interface StoredKey {
  privateKey: CryptoKey;
  publicKeyPem: string;
  fingerprint: string;
}

const DB = 'parley-party-keys';
const STORE = 'keys';
const ED25519 = { name: 'Ed25519' } as const;

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function withStore<T>(mode: IDBTransactionMode, f: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = f(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

// one key per party (a person may represent only one party in a room; the id is global)
export const loadKey = (partyId: string) => withStore<StoredKey | undefined>('readonly', (s) => s.get(partyId));
const saveKey = (partyId: string, key: StoredKey) => withStore('readwrite', (s) => s.put(key, partyId));
export const forgetKey = (partyId: string) => withStore('readwrite', (s) => s.delete(partyId));

const b64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const unb64 = (text: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');

function toPem(label: string, der: ArrayBuffer): string {
  const lines = b64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(label: string, pem: string): Uint8Array<ArrayBuffer> | null {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!m) return null;
  try {
    return unb64(m[1].replace(/\s+/g, ''));
  } catch {
    return null;
  }
}

// SHA-256 of the SPKI DER, lower-case hex: the same figure `parley keygen` and the exports print
export async function fingerprintOf(publicKeyPem: string): Promise<string | null> {
  const der = fromPem('PUBLIC KEY', publicKeyPem);
  if (!der) return null;
  return hex(await crypto.subtle.digest('SHA-256', der));
}

async function stored(partyId: string, privateKey: CryptoKey, publicKey: CryptoKey): Promise<StoredKey> {
  const publicKeyPem = toPem('PUBLIC KEY', await crypto.subtle.exportKey('spki', publicKey));
  const key = { privateKey, publicKeyPem, fingerprint: (await fingerprintOf(publicKeyPem))! };
  await saveKey(partyId, key);
  return key;
}

// A new pair; with `exportable`, also the private key's PEM (given once, never stored).
export async function makeKey(partyId: string, exportable: boolean): Promise<{ key: StoredKey; privatePem: string | null }> {
  const pair = (await crypto.subtle.generateKey(ED25519, exportable, ['sign', 'verify'])) as CryptoKeyPair;
  if (!exportable) return { key: await stored(partyId, pair.privateKey, pair.publicKey), privatePem: null };
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
  const locked = await crypto.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']);
  return { key: await stored(partyId, locked, pair.publicKey), privatePem: toPem('PRIVATE KEY', pkcs8) };
}

// A private key file made by `parley keygen` (PKCS#8 PEM). Null when it is not an Ed25519 one.
export async function importKey(partyId: string, pem: string): Promise<StoredKey | null> {
  const der = fromPem('PRIVATE KEY', pem);
  if (!der) return null;
  try {
    // extractable only for this moment, to read the public half (WebCrypto cannot derive it otherwise)
    const open = await crypto.subtle.importKey('pkcs8', der, ED25519, true, ['sign']);
    const jwk = await crypto.subtle.exportKey('jwk', open);
    const publicKey = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, ED25519, true, ['verify']);
    const locked = await crypto.subtle.importKey('pkcs8', der, ED25519, false, ['sign']);
    return await stored(partyId, locked, publicKey);
  } catch {
    return null;
  }
}

// base64 Ed25519 signature over the ASCII bytes of the hex text hash (what `parley sign` makes)
export async function signHash(key: StoredKey, textHash: string): Promise<string> {
  return b64(await crypto.subtle.sign(ED25519, key.privateKey, new TextEncoder().encode(textHash)));
}

export async function signatureValid(publicKeyPem: string, textHash: string, signature: string): Promise<boolean> {
  const der = fromPem('PUBLIC KEY', publicKeyPem);
  if (!der) return false;
  try {
    const key = await crypto.subtle.importKey('spki', der, ED25519, false, ['verify']);
    return await crypto.subtle.verify(ED25519, key, unb64(signature), new TextEncoder().encode(textHash));
  } catch {
    return false;
  }
}

export function download(filename: string, text: string, type = 'application/x-pem-file') {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// "ab12cd34…" → "ab12 cd34 …": easier to compare aloud or by eye
export const grouped = (h: string, size = 4) => h.match(new RegExp(`.{1,${size}}`, 'g'))?.join(' ') ?? h;

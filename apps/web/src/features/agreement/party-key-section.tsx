import { useEffect, useState, type ChangeEvent } from 'react';
import { useMutation } from 'urql';
import { graphql } from '../../gql';
import { plainError } from '../../api/errors';
import { Button, ErrorNote, Notice } from '../../ui/form';
import { Fingerprint } from './agreement-parts';
import { download, fingerprintOf, importKey, makeKey, type StoredKey } from './party-keys';

const RegisterKeyDoc = graphql(`
  mutation RegisterPartyKey($roomId: ID!, $publicKey: String!) {
    registerPartyKey(roomId: $roomId, publicKey: $publicKey) {
      id
    }
  }
`);

interface Props {
  roomId: string;
  party: { id: string; name: string };
  activeKey: { publicKey: string } | null;
  localKey: StoredKey | null;
  onLocalKey(k: StoredKey): void;
  onChange(): void;
}

// A party may sign with its own Ed25519 key: made here or imported from `parley keygen`.
export function PartyKeySection({ roomId, party, activeKey, localKey, onLocalKey, onChange }: Props) {
  const [reg, register] = useMutation(RegisterKeyDoc);
  const [exportable, setExportable] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [activeFp, setActiveFp] = useState<string | null>(null);
  useEffect(() => {
    if (activeKey) void fingerprintOf(activeKey.publicKey).then(setActiveFp);
  }, [activeKey]);
  const holds = !!localKey && !!activeKey && localKey.publicKeyPem.trim() === activeKey.publicKey.trim();

  async function adopt(key: StoredKey) {
    onLocalKey(key);
    const r = await register({ roomId, publicKey: key.publicKeyPem });
    if (!r.error) onChange();
  }
  async function make() {
    setBusy(true);
    setProblem(null);
    try {
      if (!crypto.subtle) throw new Error('no WebCrypto');
      const { key, privatePem } = await makeKey(party.id, exportable);
      if (privatePem) download('parley-party-key.pem', privatePem);
      await adopt(key);
    } catch {
      setProblem('This browser cannot make Ed25519 keys. Use `npm run parley -- keygen` and import the file instead.');
    } finally {
      setBusy(false);
    }
  }
  async function load(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setBusy(true);
    setProblem(null);
    const key = await importKey(party.id, await file.text());
    if (key) await adopt(key);
    else setProblem(`${file.name} is not an Ed25519 private key in PEM form (the file \`parley keygen\` writes, not its .pub).`);
    setBusy(false);
  }

  return (
    <section className="card agree-card" aria-labelledby="key-h">
      <h2 id="key-h">{party.name}&apos;s party key</h2>
      <p className="meta">
        With its own key, your party&apos;s signature can be checked by anyone without trusting this server. The private key stays in this browser; only the
        public key is sent.
      </p>
      {activeKey && activeFp ? (
        <p>
          Registered key: <Fingerprint value={activeFp} />{' '}
          {holds ? <span className="badge badge-success">held by this browser</span> : <span className="badge">not in this browser</span>}
        </p>
      ) : (
        <p>Your party has not registered a key.</p>
      )}
      {!holds && (
        <>
          <div className="field-check">
            <input id="key-exportable" type="checkbox" checked={exportable} onChange={(e) => setExportable(e.target.checked)} />
            <label htmlFor="key-exportable">Download a copy of the private key (PEM, usable with `parley sign`)</label>
          </div>
          <div className="btn-row">
            <Button variant="primary" busy={busy || reg.fetching} onClick={() => void make()}>
              {activeKey ? 'Make a new key here (replaces the registered one)' : 'Make a key in this browser'}
            </Button>
            <label className="btn btn-secondary file-button">
              Import a key file
              <input type="file" accept=".pem,application/x-pem-file,text/plain" className="sr-only" onChange={(e) => void load(e)} />
            </label>
          </div>
          <p className="meta">Without the download the key cannot be copied out of this browser, not even by Parley.</p>
        </>
      )}
      {reg.data && <Notice tone="success">The public key is registered for {party.name}.</Notice>}
      <ErrorNote error={plainError(reg.error)}>{problem}</ErrorNote>
    </section>
  );
}

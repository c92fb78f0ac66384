import { useCallback, useEffect, useEffectEvent, useState } from 'react';
import './agreement.css';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../gql';
import type { AgreementPageQuery, AgreementRoomQuery } from '../../gql/graphql';
import { plainError } from '../../api/errors';
import { live } from '../../api/live';
import { Button, ErrorNote, Notice } from '../../ui/form';
import { Loading, NotFoundPage, Page } from '../../ui/page';
import { when } from '../../ui/words';
import { ClauseList, Fingerprint, HashBlock } from './agreement-parts';
import { CommitmentsSection } from './commitments-section';
import { PartyKeySection } from './party-key-section';
import { PublicationSection } from './publication-section';
import { fingerprintOf, loadKey, signatureValid, signHash, type StoredKey } from './party-keys';

const AgreementPageDoc = graphql(`
  query AgreementPage($id: ID!) {
    agreement(id: $id) {
      id
      proposalId
      version
      textHash
      status
      clauses {
        ...AgreementClause
      }
      signatures {
        ...AgreementSignature
        textHash
        partySignature
      }
      publishConsents {
        id
        name
      }
      commitments {
        ...AgreementCommitment
        status
      }
      commitmentsResolvedAt
      embargoUntil
      publishedAt
      publicSlug
    }
  }
`);

const AgreementProposalDoc = graphql(`
  query AgreementProposal($id: ID!) {
    proposal(id: $id) {
      id
      title
      roomId
    }
  }
`);

const AgreementRoomDoc = graphql(`
  query AgreementRoom($id: ID!) {
    room(id: $id) {
      id
      title
      lastSeq
      archived
      myMembership {
        id
        role
        party {
          id
          name
        }
      }
      parties {
        id
        name
      }
      partyKeys {
        id
        party {
          id
          name
        }
        publicKey
        createdAt
        retiredAt
      }
    }
  }
`);

const SignDoc = graphql(`
  mutation SignAgreement($agreementId: ID!, $textHash: String!, $signature: String) {
    signAgreement(agreementId: $agreementId, textHash: $textHash, signature: $signature) {
      textHash
      partyMade
    }
  }
`);

export type AgreementData = AgreementPageQuery['agreement'];
export type AgreementRoom = AgreementRoomQuery['room'];

const STATUS: Record<string, string> = {
  AWAITING_SIGNATURES: 'Awaiting signatures',
  SIGNED: 'Signed by every party',
  PUBLISHED: 'Published',
};

// which registered key made each party-key signature, found by verifying it here
function useSignatureKeys(agreement: AgreementData | undefined, room: AgreementRoom | undefined) {
  const [found, setFound] = useState<Record<string, string | null>>({});
  useEffect(() => {
    if (!agreement || !room) return;
    let live = true;
    void (async () => {
      const out: Record<string, string | null> = {};
      for (const s of agreement.signatures) {
        if (!s.partyMade || !s.partySignature) continue;
        out[s.party.id] = null;
        for (const k of room.partyKeys.filter((k) => k.party.id === s.party.id)) {
          if (await signatureValid(k.publicKey, s.textHash, s.partySignature)) {
            out[s.party.id] = await fingerprintOf(k.publicKey);
            break;
          }
        }
      }
      if (live) setFound(out);
    })();
    return () => {
      live = false;
    };
  }, [agreement, room]);
  return found;
}

export default function AgreementPage() {
  const { agreementId = '' } = useParams();
  const [{ data, error, fetching }, refetch] = useQuery({ query: AgreementPageDoc, variables: { id: agreementId } });
  const agreement = data?.agreement;
  const [proposalQ] = useQuery({ query: AgreementProposalDoc, variables: { id: agreement?.proposalId ?? '' }, pause: !agreement });
  const roomId = proposalQ.data?.proposal.roomId;
  const [roomQ, refetchRoom] = useQuery({ query: AgreementRoomDoc, variables: { id: roomId ?? '' }, pause: !roomId });
  const room = roomQ.data?.room;
  const refresh = useCallback(() => {
    refetch({ requestPolicy: 'network-only' });
    refetchRoom({ requestPolicy: 'network-only' });
  }, [refetch, refetchRoom]);
  // the latest refresh, for the live watch below, which must not leave and rejoin the room on each render
  const onLiveEvent = useEffectEvent((type: string) => {
    if (/^(agreement\.|commitment|publication\.|party_key\.)/.test(type)) refresh();
  });
  const myParty = room && room.myMembership.role !== 'OBSERVER' ? (room.myMembership.party ?? null) : null;
  const [localKey, setLocalKey] = useState<StoredKey | null>(null);
  const keyFingerprints = useSignatureKeys(agreement, room);

  useEffect(() => {
    if (!myParty) return;
    void loadKey(myParty.id).then((k) => setLocalKey(k ?? null));
  }, [myParty?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // live: signatures, commitments, consents and keys of others appear without a reload
  const lastSeq = room?.lastSeq;
  const ready = lastSeq !== undefined;
  useEffect(() => {
    if (!roomId || lastSeq === undefined) return;
    return live().watch(roomId, lastSeq, { event: (e) => onLiveEvent(e.type) });
    // lastSeq only seeds the watch
  }, [roomId, ready]); // eslint-disable-line react-hooks/exhaustive-deps

  if (error) return plainError(error)?.code === 'NOT_FOUND' ? <NotFoundPage /> : <ErrorNote error={plainError(error)} />;
  if (!agreement || (fetching && !data)) return <Loading />;
  const title = proposalQ.data?.proposal.title ?? 'Agreement';
  const activeKey = room?.partyKeys.find((k) => myParty && k.party.id === myParty.id && !k.retiredAt) ?? null;
  const usableKey = localKey && activeKey && localKey.publicKeyPem.trim() === activeKey.publicKey.trim() ? localKey : null;

  return (
    <Page title={title} wide>
      <p className="meta">
        {room && (
          <>
            <Link to={`/rooms/${room.id}`}>Back to the room {room.title}</Link> ·{' '}
          </>
        )}
        Version {agreement.version} · <span className="badge">{STATUS[agreement.status] ?? agreement.status}</span>
      </p>
      <div className="agreement-layout">
        <div>
          <section className="card agree-card" aria-labelledby="text-h">
            <h2 id="text-h">The adopted text</h2>
            <ClauseList clauses={agreement.clauses} />
            <HashBlock label="Text hash (SHA-256 of the canonical clauses): compare it with your own copy" hash={agreement.textHash} />
          </section>
          <SignaturesSection agreement={agreement} room={room} myParty={myParty} usableKey={usableKey} keyFingerprints={keyFingerprints} onChange={refresh} />
          {room && <CommitmentsSection agreement={agreement} room={room} myParty={myParty} onChange={refresh} />}
        </div>
        <div>
          {room && myParty && (
            <PartyKeySection roomId={room.id} party={myParty} activeKey={activeKey} localKey={localKey} onLocalKey={setLocalKey} onChange={refresh} />
          )}
          {room && <PublicationSection agreement={agreement} room={room} myParty={myParty} onChange={refresh} />}
        </div>
      </div>
    </Page>
  );
}

function SignaturesSection({
  agreement,
  room,
  myParty,
  usableKey,
  keyFingerprints,
  onChange,
}: {
  agreement: AgreementData;
  room: AgreementRoom | undefined;
  myParty: { id: string; name: string } | null;
  usableKey: StoredKey | null;
  keyFingerprints: Record<string, string | null>;
  onChange(): void;
}) {
  const [sign, signNow] = useMutation(SignDoc);
  const [failure, setFailure] = useState<string | null>(null);
  const signed = new Map(agreement.signatures.map((s) => [s.party.id, s]));
  const mine = myParty ? signed.get(myParty.id) : undefined;
  async function doSign(withKey: boolean) {
    setFailure(null);
    let signature: string | null = null;
    if (withKey && usableKey) {
      try {
        signature = await signHash(usableKey, agreement.textHash);
      } catch {
        setFailure('This browser could not sign with the stored key.');
        return;
      }
    }
    const r = await signNow({ agreementId: agreement.id, textHash: agreement.textHash, signature });
    if (!r.error) onChange();
  }
  const parties = room?.parties ?? agreement.signatures.map((s) => s.party);
  return (
    <section className="card agree-card" aria-labelledby="sig-h">
      <h2 id="sig-h">Signatures</h2>
      <ul className="signature-list">
        {parties.map((p) => {
          const s = signed.get(p.id);
          const fp = keyFingerprints[p.id];
          return (
            <li key={p.id}>
              <strong>{p.name}</strong>:{' '}
              {s ? (
                <>
                  <span className="badge badge-success">signed</span> {when(s.signedAt)}
                  {s.partyMade ? (
                    <span className="sig-key">
                      {' '}
                      with the party&apos;s own key
                      {fp ? (
                        <>
                          , fingerprint <Fingerprint value={fp} />
                        </>
                      ) : fp === null ? (
                        ' (no registered key verifies it)'
                      ) : (
                        ''
                      )}
                    </span>
                  ) : (
                    <span className="meta"> (recorded by the server)</span>
                  )}
                </>
              ) : (
                <span className="badge">not signed yet</span>
              )}
            </li>
          );
        })}
      </ul>
      {myParty && !mine && (
        <div className="sign-box">
          <p>
            Signing on behalf of <strong>{myParty.name}</strong> confirms the text whose hash is shown above, and nothing else.
          </p>
          <div className="btn-row">
            {usableKey && (
              <Button variant="primary" busy={sign.fetching} onClick={() => void doSign(true)}>
                Sign with our party key
              </Button>
            )}
            <Button variant={usableKey ? 'secondary' : 'primary'} busy={sign.fetching} onClick={() => void doSign(false)}>
              {usableKey ? 'Sign without the key' : `Sign for ${myParty.name}`}
            </Button>
          </div>
          <ErrorNote error={plainError(sign.error)}>{failure}</ErrorNote>
        </div>
      )}
      {mine && <Notice tone="success">Your party signed this text.</Notice>}
    </section>
  );
}

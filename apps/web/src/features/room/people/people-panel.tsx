import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../../gql';
import type { RoomRole } from '../../../gql/graphql';
import { plainError } from '../../../api/errors';
import { Button, ErrorNote, Notice, SelectField, TextField, fieldError } from '../../../ui/form';
import { useNow } from '../../../ui/clock';
import { count, roleWords, when } from '../../../ui/words';
import { useRoom, useRoomEvents } from '../room-context';
import './people.css';

const PeopleQuery = graphql(`
  query RoomPeople($id: ID!) {
    room(id: $id) {
      id
      parties {
        id
        name
      }
      members {
        id
        role
        displayName
        joinedAt
        party {
          id
          name
        }
      }
    }
  }
`);

const InvitesQuery = graphql(`
  query RoomInvites($id: ID!) {
    room(id: $id) {
      id
      invites {
        id
        role
        email
        expiresAt
        usedAt
        revokedAt
        party {
          id
          name
        }
      }
    }
  }
`);

const AddPartyMutation = graphql(`
  mutation AddParty($roomId: ID!, $name: String!) {
    addParty(roomId: $roomId, name: $name) {
      id
    }
  }
`);
const CreateInviteMutation = graphql(`
  mutation CreateInvite($input: CreateInviteInput!) {
    createInvite(input: $input) {
      token
      invite {
        id
      }
    }
  }
`);
const RevokeInviteMutation = graphql(`
  mutation RevokeInvite($id: ID!) {
    revokeInvite(id: $id) {
      id
      revokedAt
    }
  }
`);
const RemoveMemberMutation = graphql(`
  mutation RemoveMember($membershipId: ID!) {
    removeMember(membershipId: $membershipId)
  }
`);
const ArchiveRoomMutation = graphql(`
  mutation ArchiveRoom($roomId: ID!) {
    archiveRoom(roomId: $roomId) {
      id
      archived
    }
  }
`);

export function PeoplePanel() {
  const { room, me, isFacilitator, refreshRoom } = useRoom();
  const [people, refetch] = useQuery({ query: PeopleQuery, variables: { id: room.id } });
  useRoomEvents(['party.', 'member.', 'invite.'], () => refetch({ requestPolicy: 'network-only' }));
  const [removeResult, remove] = useMutation(RemoveMemberMutation);
  const data = people.data?.room;
  const writable = isFacilitator && !room.archived;

  return (
    <div className="people">
      <ErrorNote error={plainError(people.error)} />
      <section aria-labelledby="parties-heading" className="card">
        <h2 id="parties-heading">Parties</h2>
        <ul className="plain-list">
          {data?.parties.map((p) => (
            <li key={p.id}>
              {p.name} · {count(data.members.filter((m) => m.party?.id === p.id).length, 'member')}
            </li>
          ))}
        </ul>
        {writable && <AddParty roomId={room.id} />}
      </section>

      <section aria-labelledby="members-heading" className="card">
        <h2 id="members-heading">Members</h2>
        <ErrorNote error={plainError(removeResult.error)} />
        <ul className="plain-list member-list">
          {data?.members.map((m) => (
            <li key={m.id}>
              <span>
                <strong>{m.displayName}</strong> · {roleWords(m.role)}
                {m.party ? ` for ${m.party.name}` : ''}
                {m.id === me.id ? ' (you)' : ''}
              </span>
              {writable && m.id !== me.id && (
                <Confirm
                  label="Remove"
                  whom={m.displayName}
                  confirmLabel={`Yes, remove ${m.displayName}`}
                  onConfirm={async () => void (await remove({ membershipId: m.id }))}
                >
                  {m.displayName} loses access to this room at once, including any page they have open.
                </Confirm>
              )}
            </li>
          ))}
        </ul>
      </section>

      {isFacilitator && <Invites roomId={room.id} parties={data?.parties ?? []} writable={writable} />}

      {writable && (
        <section aria-labelledby="archive-heading" className="card">
          <h2 id="archive-heading">Archive the room</h2>
          <p className="muted">An archived room is read-only for everyone: no more edits, messages or votes.</p>
          <ArchiveRoom roomId={room.id} done={refreshRoom} />
        </section>
      )}
    </div>
  );
}

function AddParty({ roomId }: { roomId: string }) {
  const [name, setName] = useState('');
  const [result, add] = useMutation(AddPartyMutation);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const r = await add({ roomId, name: name.trim() });
    if (r.data) setName('');
  }
  const error = plainError(result.error);
  return (
    <form onSubmit={(e) => void submit(e)} className="inline-form" noValidate>
      <TextField label="New party" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
      <Button type="submit" busy={result.fetching}>
        Add party
      </Button>
      <ErrorNote error={error?.fields.name ? null : error} />
    </form>
  );
}

function Invites({ roomId, parties, writable }: { roomId: string; parties: Array<{ id: string; name: string }>; writable: boolean }) {
  const [invites, refetch] = useQuery({ query: InvitesQuery, variables: { id: roomId } });
  useRoomEvents(['invite.', 'member.'], () => refetch({ requestPolicy: 'network-only' }));
  const [created, create] = useMutation(CreateInviteMutation);
  const [revokeResult, revoke] = useMutation(RevokeInviteMutation);
  const [role, setRole] = useState<RoomRole>('NEGOTIATOR');
  const [partyId, setPartyId] = useState('');
  const [email, setEmail] = useState('');
  const [hours, setHours] = useState('72');
  const [link, setLink] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const now = useNow();
  const linkRef = useRef<HTMLInputElement>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setLink(null);
    setCopied(false);
    const r = await create({
      input: { roomId, role, partyId: partyId || null, email: email.trim() || null, expiresInHours: hours ? Number(hours) : null },
    });
    if (r.data) {
      setLink(`${location.origin}/invite#${r.data.createInvite.token}`);
      setEmail('');
      refetch({ requestPolicy: 'network-only' });
      requestAnimationFrame(() => linkRef.current?.focus());
    }
  }

  async function copy() {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      // no clipboard permission: leave the link selected so Ctrl+C copies it
      linkRef.current?.select();
    }
    setCopied(true);
  }

  const error = plainError(created.error);
  const status = (i: { usedAt?: string | null; revokedAt?: string | null; expiresAt: string }) =>
    i.usedAt ? `used ${when(i.usedAt)}` : i.revokedAt ? 'revoked' : new Date(i.expiresAt).getTime() < now ? 'expired' : `open until ${when(i.expiresAt)}`;
  return (
    <section aria-labelledby="invites-heading" className="card">
      <h2 id="invites-heading">Invitations</h2>
      {writable && (
        <form onSubmit={(e) => void submit(e)} className="invite-form" noValidate>
          <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as RoomRole)}>
            <option value="NEGOTIATOR">{roleWords('NEGOTIATOR')}</option>
            <option value="OBSERVER">{roleWords('OBSERVER')}</option>
            <option value="FACILITATOR">{roleWords('FACILITATOR')}</option>
          </SelectField>
          <SelectField
            label="Party"
            hint="Negotiators speak and vote for a party."
            value={partyId}
            onChange={(e) => setPartyId(e.target.value)}
            error={fieldError(error, 'partyId')}
          >
            <option value="">No party</option>
            {parties.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <TextField
            label="Email (optional)"
            hint="Only this address can accept it."
            type="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={fieldError(error, 'email')}
          />
          <TextField
            label="Valid for (hours)"
            type="number"
            min={1}
            value={hours}
            onChange={(e) => setHours(e.target.value)}
            error={fieldError(error, 'expiresInHours')}
          />
          <ErrorNote error={error} />
          <Button type="submit" variant="primary" busy={created.fetching}>
            Create invitation
          </Button>
        </form>
      )}
      {link && (
        <div className="invite-link" role="status">
          <label htmlFor="invite-link">Invitation link (shown only once: copy it now)</label>
          <div className="btn-row">
            <input id="invite-link" ref={linkRef} readOnly value={link} onFocus={(e) => e.target.select()} />
            <Button type="button" onClick={() => void copy()}>
              Copy link
            </Button>
          </div>
          {copied && <Notice tone="success">Copied.</Notice>}
        </div>
      )}
      <ErrorNote error={plainError(revokeResult.error ?? invites.error)} />
      <ul className="plain-list invite-list" aria-label="Invitations sent">
        {invites.data?.room.invites.map((i) => (
          <li key={i.id}>
            <span>
              {roleWords(i.role)}
              {i.party ? ` for ${i.party.name}` : ''}
              {i.email ? ` · ${i.email}` : ''} · {status(i)}
            </span>
            {writable && !i.usedAt && !i.revokedAt && (
              <Button type="button" variant="link" onClick={() => void revoke({ id: i.id }).then(() => refetch({ requestPolicy: 'network-only' }))}>
                Revoke<span className="sr-only"> the invitation for {i.email ?? roleWords(i.role)}</span>
              </Button>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function ArchiveRoom({ roomId, done }: { roomId: string; done: () => void }) {
  const [result, archive] = useMutation(ArchiveRoomMutation);
  return (
    <>
      <ErrorNote error={plainError(result.error)} />
      <Confirm
        label="Archive this room"
        confirmLabel="Yes, archive it"
        danger
        onConfirm={async () => {
          const r = await archive({ roomId });
          if (r.data) done();
        }}
      >
        Archiving cannot be undone from here. Everyone keeps read access.
      </Confirm>
    </>
  );
}

// A destructive action asks once more, in place (no pop-up), and says what will happen.
// `whom` completes the label for screen readers ("Remove Anna Lindqvist") where the list
// around the button already shows it (one short "Remove" per row, all at the same place).
function Confirm({
  label,
  whom,
  confirmLabel,
  onConfirm,
  children,
  danger,
}: {
  label: string;
  whom?: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  children: ReactNode;
  danger?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = useRef<HTMLButtonElement>(null);
  if (!asking) {
    return (
      <Button
        type="button"
        variant={danger ? 'danger' : 'secondary'}
        onClick={() => {
          setAsking(true);
          requestAnimationFrame(() => yes.current?.focus());
        }}
      >
        {label}
        {whom && <span className="sr-only"> {whom}</span>}
      </Button>
    );
  }
  return (
    <div className="confirm" role="group" aria-label={whom ? `${label} ${whom}` : label}>
      <p>{children}</p>
      <div className="btn-row">
        <button
          ref={yes}
          type="button"
          className="btn btn-danger"
          disabled={busy}
          aria-busy={busy || undefined}
          onClick={async () => {
            setBusy(true);
            await onConfirm();
            setBusy(false);
            setAsking(false);
          }}
        >
          {confirmLabel}
        </button>
        <Button type="button" onClick={() => setAsking(false)}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

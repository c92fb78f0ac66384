import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery } from 'urql';
import { graphql } from '../../../gql';
import type { RoomBallotsQuery } from '../../../gql/graphql';
import { plainError, type PlainError } from '../../../api/errors';
import { Button, ErrorNote, FormActions, Notice, SelectField, TextArea, TextField } from '../../../ui/form';
import { Loading } from '../../../ui/page';
import { count, when } from '../../../ui/words';
import { useRoom, useRoomEvents } from '../room-context';
import '../text/text.css';

const RoomBallotsQueryDoc = graphql(`
  query RoomBallots($id: ID!) {
    room(id: $id) {
      id
      parties {
        id
        name
      }
      proposals {
        id
        title
        status
        version
        openBrackets
        amendments {
          id
          clauseKey
          kind
          status
          party {
            id
            name
          }
        }
        ballots {
          id
          amendmentId
          version
          rule
          threshold
          quorum
          secrecy
          status
          closesAt
          outcome
          votedParties {
            id
            name
          }
          votes {
            party {
              id
              name
            }
            choice
            reason
            castAt
          }
          tally {
            support
            oppose
            abstain
            block
            notVoted
          }
        }
      }
    }
  }
`);

const OpenBallotMutation = graphql(`
  mutation OpenBallot($input: OpenBallotInput!) {
    openBallot(input: $input) {
      id
      status
    }
  }
`);

const CastVoteMutation = graphql(`
  mutation CastVote($input: CastVoteInput!) {
    castVote(input: $input) {
      choice
      castAt
    }
  }
`);

const CloseBallotMutation = graphql(`
  mutation CloseBallot($ballotId: ID!) {
    closeBallot(ballotId: $ballotId) {
      id
      status
      outcome
    }
  }
`);

type ProposalData = RoomBallotsQuery['room']['proposals'][number];
type BallotData = ProposalData['ballots'][number];
type Party = { id: string; name: string };
type AmendmentData = ProposalData['amendments'][number];

// "amendment adding a clause after clause 2 (Lab A)": what a ballot on it decides, in the
// words of the text (an INSERT's clause key is the clause it follows, "" the start)
function amendmentWords(a: AmendmentData): string {
  const change =
    a.kind === 'INSERT'
      ? `adding a clause ${a.clauseKey ? `after clause ${a.clauseKey}` : 'at the start'}`
      : `${a.kind === 'DELETE' ? 'deleting' : 'replacing'} clause ${a.clauseKey}`;
  return `amendment ${change}${a.party ? ` (${a.party.name})` : ''}`;
}

type Rule = 'UNANIMITY' | 'CONSENSUS' | 'SUPERMAJORITY' | 'MAJORITY';
type Choice = 'SUPPORT' | 'OPPOSE' | 'ABSTAIN' | 'BLOCK';

const RULE_WORDS: Record<Rule, string> = {
  UNANIMITY: 'Unanimity: every party supports',
  CONSENSUS: 'Consensus: no party opposes or blocks',
  SUPERMAJORITY: 'Supermajority: a share of the parties that took a side',
  MAJORITY: 'Majority: more support than opposition',
};
const CHOICE_WORDS: Record<Choice, string> = { SUPPORT: 'Support', OPPOSE: 'Oppose', ABSTAIN: 'Abstain', BLOCK: 'Block' };
const OUTCOME_WORDS: Record<string, string> = { PASSED: 'Passed', FAILED: 'Failed', NO_QUORUM: 'No quorum' };
const percent = (x: number) => `${Math.round(x * 1000) / 10}%`;
const fieldError = (e: PlainError | null, name: string) => (e?.fields?.[name] ? `This ${name} ${e.fields[name]}` : undefined);

// Ballots of every proposal in the room: open one (facilitator), vote and change the vote
// (a party), who has voted (always), choices and tally (when the secrecy allows), close.
export function BallotsPanel() {
  const { room } = useRoom();
  const [{ data, error, fetching }, refetch] = useQuery({ query: RoomBallotsQueryDoc, variables: { id: room.id } });
  const [announce, setAnnounce] = useState('');
  useRoomEvents(['ballot.', 'vote.', 'proposal.', 'amendment.', 'bracket.'], (e) => {
    refetch({ requestPolicy: 'network-only' });
    if (e.type === 'vote.cast') setAnnounce('A party voted.');
    if (e.type === 'ballot.opened') setAnnounce('A ballot opened.');
    if (e.type === 'ballot.closed') setAnnounce('A ballot closed.');
  });
  if (error && !data) return <ErrorNote error={plainError(error)} />;
  if (!data) return fetching ? <Loading label="Loading the ballots…" /> : null;
  const proposals = data.room.proposals.filter((p) => p.status !== 'WITHDRAWN');
  return (
    <section className="ballots-panel" aria-labelledby="ballots-title">
      <h2 id="ballots-title">Ballots</h2>
      <p className="sr-only" aria-live="polite">
        {announce}
      </p>
      {proposals.length === 0 && <p className="muted">There is no proposal to vote on yet.</p>}
      {proposals.map((p) => (
        <ProposalBallots key={p.id} proposal={p} parties={data.room.parties} />
      ))}
    </section>
  );
}

function ProposalBallots({ proposal: p, parties }: { proposal: ProposalData; parties: Party[] }) {
  const { room, isFacilitator } = useRoom();
  const [opening, setOpening] = useState(false);
  const open = p.ballots.filter((b) => b.status === 'OPEN');
  const closed = p.ballots.filter((b) => b.status === 'CLOSED');
  const canOpen = isFacilitator && p.status === 'DRAFTING' && !room.archived;
  return (
    <section className="card proposal-ballots" aria-labelledby={`ballots-${p.id}`}>
      <h3 id={`ballots-${p.id}`}>
        {p.title} <span className="meta">(version {p.version})</span>
      </h3>
      <p className="meta">
        <Link to={`/rooms/${room.id}?proposal=${p.id}`}>Read the text</Link>
      </p>
      {canOpen && !opening && (
        <Button type="button" onClick={() => setOpening(true)}>
          Open a ballot on “{p.title}”
        </Button>
      )}
      {opening && <OpenBallotForm proposal={p} done={() => setOpening(false)} />}
      {p.ballots.length === 0 && <p className="muted">No ballot yet.</p>}
      {[...open, ...[...closed].reverse()].map((b) => (
        <BallotCard key={b.id} ballot={b} proposal={p} parties={parties} />
      ))}
    </section>
  );
}

function OpenBallotForm({ proposal: p, done }: { proposal: ProposalData; done: () => void }) {
  const [target, setTarget] = useState('');
  const [rule, setRule] = useState<Rule>('CONSENSUS');
  const [threshold, setThreshold] = useState('66.7');
  const [quorum, setQuorum] = useState('50');
  const [secret, setSecret] = useState(true);
  const [deadline, setDeadline] = useState('');
  const [r, openBallot] = useMutation(OpenBallotMutation);
  const [error, setError] = useState<PlainError | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await openBallot({
      input: {
        proposalId: p.id,
        amendmentId: target || null,
        rule,
        threshold: rule === 'SUPERMAJORITY' ? Number(threshold) / 100 : null,
        quorum: Number(quorum) / 100,
        secrecy: secret ? 'SECRET_UNTIL_CLOSE' : 'OPEN',
        closesAt: deadline ? new Date(deadline).toISOString() : null,
      },
    });
    if (res.error) return setError(plainError(res.error));
    done();
  }
  return (
    <form className="inline-form" onSubmit={submit} aria-label={`Open a ballot on ${p.title}`}>
      <SelectField label="Vote on" value={target} onChange={(e) => setTarget(e.target.value)} error={fieldError(error, 'amendmentId')}>
        <option value="">The whole text (version {p.version})</option>
        {p.amendments
          .filter((a) => a.status === 'OPEN')
          .map((a) => (
            <option key={a.id} value={a.id}>
              The {amendmentWords(a)}
            </option>
          ))}
      </SelectField>
      {!target && p.openBrackets > 0 && (
        <Notice tone="warning">
          The text has {count(p.openBrackets, 'open bracket')}: resolve {p.openBrackets === 1 ? 'it' : 'them'} before a ballot on the whole text.
        </Notice>
      )}
      <SelectField label="Decision rule" value={rule} onChange={(e) => setRule(e.target.value as Rule)} error={fieldError(error, 'rule')}>
        {(Object.keys(RULE_WORDS) as Rule[]).map((k) => (
          <option key={k} value={k}>
            {RULE_WORDS[k]}
          </option>
        ))}
      </SelectField>
      {rule === 'SUPERMAJORITY' && (
        <TextField
          label="Threshold (% of parties that took a side)"
          type="number"
          min={50}
          max={100}
          step="0.1"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
          error={fieldError(error, 'threshold')}
          required
        />
      )}
      <TextField
        label="Quorum (% of parties that must vote)"
        type="number"
        min={0}
        max={100}
        step="1"
        value={quorum}
        onChange={(e) => setQuorum(e.target.value)}
        error={fieldError(error, 'quorum')}
        required
      />
      <label className="choice">
        <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} /> Secret until closed: nobody sees choices or the tally before
        the ballot closes
      </label>
      <TextField
        label="Deadline"
        hint="Optional: the ballot closes by itself then"
        type="datetime-local"
        value={deadline}
        onChange={(e) => setDeadline(e.target.value)}
        error={fieldError(error, 'closesAt')}
      />
      <FormActions error={error} submit="Open ballot" busy={r.fetching} onCancel={done} />
    </form>
  );
}

function BallotCard({ ballot: b, proposal: p, parties }: { ballot: BallotData; proposal: ProposalData; parties: Party[] }) {
  const { room, isFacilitator, myParty } = useRoom();
  const [, close] = useMutation(CloseBallotMutation);
  const [closing, setClosing] = useState(false);
  const [error, setError] = useState<PlainError | null>(null);
  const isOpen = b.status === 'OPEN';
  const voted = new Set(b.votedParties.map((v) => v.id));
  const waiting = parties.filter((x) => !voted.has(x.id));
  const mine = myParty ? b.votes.find((v) => v.party.id === myParty.id) : undefined;
  const amendment = p.amendments.find((a) => a.id === b.amendmentId);
  const subject = amendment ? `the ${amendmentWords(amendment)}` : b.amendmentId ? 'an amendment' : `the whole text, version ${b.version}`;
  const titleId = `ballot-${b.id}`;
  return (
    <article className={`ballot ballot-${b.status.toLowerCase()}`} aria-labelledby={titleId}>
      <h4 id={titleId}>
        Ballot on {subject}{' '}
        <span className={`badge ${isOpen ? 'badge-warning' : b.outcome === 'PASSED' ? 'badge-success' : ''}`}>
          {isOpen ? 'Open' : `Closed: ${OUTCOME_WORDS[b.outcome ?? ''] ?? ''}`}
        </span>
      </h4>
      <p className="meta">
        {RULE_WORDS[b.rule as Rule]}
        {b.rule === 'SUPERMAJORITY' && b.threshold != null ? ` (${percent(b.threshold)})` : ''} · quorum {percent(b.quorum)} ·{' '}
        {b.secrecy === 'SECRET_UNTIL_CLOSE' ? 'secret until closed' : 'open voting'}
        {b.closesAt ? ` · closes ${when(b.closesAt)}` : ''}
      </p>
      <div className="ballot-who" aria-live="polite">
        <p>
          <strong>Voted:</strong> {b.votedParties.length ? b.votedParties.map((x) => x.name).join(', ') : 'nobody yet'}
        </p>
        {isOpen && waiting.length > 0 && (
          <p>
            <strong>Not yet:</strong> {waiting.map((x) => x.name).join(', ')}
          </p>
        )}
      </div>
      {isOpen && b.secrecy === 'SECRET_UNTIL_CLOSE' && <p className="muted">Choices and the tally stay hidden from everyone until the ballot closes.</p>}
      {b.tally && (
        <dl className="tally" aria-label="Tally">
          <div>
            <dt>Support</dt>
            <dd>{b.tally.support}</dd>
          </div>
          <div>
            <dt>Oppose</dt>
            <dd>{b.tally.oppose}</dd>
          </div>
          <div>
            <dt>Abstain</dt>
            <dd>{b.tally.abstain}</dd>
          </div>
          <div>
            <dt>Block</dt>
            <dd>{b.tally.block}</dd>
          </div>
          <div>
            <dt>Not voted</dt>
            <dd>{b.tally.notVoted}</dd>
          </div>
        </dl>
      )}
      {b.votes.length > 0 && (isOpen ? b.secrecy === 'OPEN' : true) && (
        <ul className="votes" aria-label="Votes">
          {b.votes.map((v) => (
            <li key={v.party.id}>
              <strong>{v.party.name}</strong>: {CHOICE_WORDS[v.choice as Choice]}
              {v.reason ? ` (“${v.reason}”)` : ''}
            </li>
          ))}
        </ul>
      )}
      {!isOpen && b.outcome === 'PASSED' && !b.amendmentId && p.status === 'ADOPTED' && <Notice tone="success">The text was adopted.</Notice>}
      {isOpen && myParty && !room.archived && <VoteForm ballot={b} party={myParty} mine={mine} />}
      {isOpen && isFacilitator && !room.archived && (
        <div className="btn-row">
          <Button
            type="button"
            variant="danger"
            busy={closing}
            onClick={async () => {
              setClosing(true);
              setError(null);
              const res = await close({ ballotId: b.id });
              setClosing(false);
              if (res.error) setError(plainError(res.error));
            }}
          >
            Close ballot
          </Button>
        </div>
      )}
      <ErrorNote error={error} />
    </article>
  );
}

function VoteForm({ ballot: b, party, mine }: { ballot: BallotData; party: Party; mine?: BallotData['votes'][number] }) {
  const [choice, setChoice] = useState<Choice | ''>(mine ? (mine.choice as Choice) : '');
  const [reason, setReason] = useState(mine?.reason ?? '');
  const [r, cast] = useMutation(CastVoteMutation);
  const [error, setError] = useState<PlainError | null>(null);
  const [saved, setSaved] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    if (!choice) return setError({ code: 'BAD_USER_INPUT', message: 'Choose support, oppose, abstain or block.', fields: {} });
    const res = await cast({ input: { ballotId: b.id, choice, reason: reason.trim() || null } });
    if (res.error) return setError(plainError(res.error));
    setError(null);
    setSaved(true);
  }
  return (
    <form className="inline-form vote-form" onSubmit={submit} aria-label={`Vote for ${party.name}`}>
      {mine && (
        <p>
          {party.name} voted <strong>{CHOICE_WORDS[mine.choice as Choice]}</strong>
          {mine.reason ? ` (“${mine.reason}”)` : ''}. You can change it until the ballot closes.
        </p>
      )}
      <fieldset>
        <legend>Your party’s vote ({party.name})</legend>
        {(Object.keys(CHOICE_WORDS) as Choice[]).map((c) => (
          <label key={c} className="choice">
            <input type="radio" name={`vote-${b.id}`} value={c} checked={choice === c} onChange={() => setChoice(c)} /> {CHOICE_WORDS[c]}
          </label>
        ))}
      </fieldset>
      <TextArea
        label="Reason"
        hint="Optional; shown with the vote when the ballot allows"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={fieldError(error, 'reason')}
        maxLength={2000}
      />
      <ErrorNote error={error} />
      {saved && <Notice tone="success">Vote saved.</Notice>}
      <Button type="submit" variant="primary" busy={r.fetching}>
        {mine ? 'Change vote' : 'Cast vote'}
      </Button>
    </form>
  );
}

import { useState } from 'react';
import { graphql } from '../../gql';
import type { AgreementClauseFragment } from '../../gql/graphql';
import { grouped } from './party-keys';

// Parts shared by the member and the public agreement pages.

// What both pages ask of an agreement's clauses, signatures and commitments (the member page
// adds its own fields beside the spreads).
export const AgreementFragments = graphql(`
  fragment AgreementClause on Clause {
    key
    heading
    text
  }
  fragment AgreementSignature on Signature {
    party {
      id
      name
    }
    signedAt
    partyMade
  }
  fragment AgreementCommitment on Commitment {
    id
    party {
      id
      name
    }
    statement
    minParties
    requiredParties {
      id
      name
    }
  }
`);

export function ClauseList({ clauses }: { clauses: ReadonlyArray<AgreementClauseFragment> }) {
  return (
    <ol className="agreement-clauses">
      {clauses.map((c) => (
        <li key={c.key}>
          <span className="clause-key">{c.key}.</span> {c.heading && <strong>{c.heading}. </strong>}
          {c.text}
        </li>
      ))}
    </ol>
  );
}

// The full hash in groups of four hex digits, with a copy button: people compare it with
// their own copy (the bundle, the PDF, `sha256sum`).
export function HashBlock({ label, hash }: { label: string; hash: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(hash);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  }
  return (
    <div className="hash-block">
      <div className="hash-label" id={`hash-${hash.slice(0, 8)}`}>
        {label}
      </div>
      <code className="hash" aria-labelledby={`hash-${hash.slice(0, 8)}`} data-hash={hash}>
        {grouped(hash)}
      </code>
      <div className="btn-row">
        <button type="button" className="btn btn-secondary" onClick={() => void copy()}>
          Copy hash
        </button>
        <span role="status" className="meta">
          {copied === 'yes' ? 'Copied.' : copied === 'no' ? 'Your browser did not allow copying; select the hash instead.' : ''}
        </span>
      </div>
    </div>
  );
}

export function Fingerprint({ value }: { value: string }) {
  return (
    <code className="fingerprint" title="SHA-256 fingerprint of the party's public key">
      {grouped(value, 8)}
    </code>
  );
}

import { diffWords } from 'diff';

export interface Hunk {
  op: 'EQUAL' | 'INSERT' | 'DELETE';
  text: string;
}

// Struck and inserted words, with words for screen readers (colour and strike-through
// alone say nothing to them).
export function Hunks({ hunks }: { hunks: readonly Hunk[] }) {
  return (
    <>
      {hunks.map((h, i) =>
        h.op === 'INSERT' ? (
          <ins key={i} className="diff">
            <span className="sr-only">[inserted: </span>
            {h.text}
            <span className="sr-only">]</span>
          </ins>
        ) : h.op === 'DELETE' ? (
          <del key={i} className="diff">
            <span className="sr-only">[deleted: </span>
            {h.text}
            <span className="sr-only">]</span>
          </del>
        ) : (
          <span key={i}>{h.text}</span>
        ),
      )}
    </>
  );
}

// The word diff between a clause and a suggested text (the same library the server's
// version diff uses, so a suggestion reads like the diff it will become).
export function wordDiff(before: string, after: string): Hunk[] {
  return diffWords(before, after)
    .filter((c) => c.value !== '')
    .map((c) => ({ op: c.added ? 'INSERT' : c.removed ? 'DELETE' : 'EQUAL', text: c.value }));
}

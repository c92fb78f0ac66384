import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { GroupCommit } from './transaction';

const tick = () => new Promise((r) => setImmediate(r));

describe('GroupCommit', () => {
  it('the first write of a quiet key runs alone at once; what arrives meanwhile goes in the next batch, in order', async () => {
    const batches: number[][] = [];
    const g = new GroupCommit<string, number, number>(async (_key, items) => {
      batches.push(items);
      await tick();
      return items.map((i) => i * 10);
    });
    const results = await Promise.all([1, 2, 3, 4].map((i) => g.submit('b', i)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keys do not wait for each other', async () => {
    const batches: string[] = [];
    const g = new GroupCommit<string, number, number>(async (key, items) => {
      batches.push(`${key}:${items.join(',')}`);
      await tick();
      return items;
    });
    await Promise.all([g.submit('a', 1), g.submit('b', 2), g.submit('a', 3)]);
    expect(batches).toEqual(['a:1', 'b:2', 'a:3']);
  });

  // Property: whatever items are refused by their rules and whichever batches fail as a whole,
  // every caller's promise settles once, with its own result or error: a refused item gets its
  // error, an item whose batch failed is written again alone, and only an item that fails alone
  // gets the batch's failure.
  it('every caller gets its own answer, whatever fails', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ refused: fc.boolean(), poison: fc.boolean(), key: fc.constantFrom('a', 'b') }), { minLength: 1, maxLength: 30 }),
        async (items) => {
          const written: number[] = [];
          const g = new GroupCommit<string, number, string>(async (_key, ids) => {
            await tick();
            // a batch holding a poisoned item fails as a whole (nothing of it is written)
            if (ids.some((id) => items[id].poison)) throw new Error(`poisoned by ${ids.find((id) => items[id].poison)}`);
            written.push(...ids);
            return ids.map((id) => (items[id].refused ? new Error(`refused ${id}`) : `ok ${id}`));
          }, 4);
          const settled = await Promise.allSettled(items.map((it, id) => g.submit(it.key, id)));
          settled.forEach((s, id) => {
            const it = items[id];
            if (it.poison) expect(s).toEqual({ status: 'rejected', reason: new Error(`poisoned by ${id}`) });
            else if (it.refused) expect(s).toEqual({ status: 'rejected', reason: new Error(`refused ${id}`) });
            else expect(s).toEqual({ status: 'fulfilled', value: `ok ${id}` });
          });
          // each item that is not poisoned is written exactly once
          expect([...written].sort((x, y) => x - y)).toEqual(items.map((it, id) => (it.poison ? -1 : id)).filter((id) => id >= 0));
        },
      ),
      { numRuns: 200 },
    );
  });
});

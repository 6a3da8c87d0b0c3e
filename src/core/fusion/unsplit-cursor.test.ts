import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { mergeSpans, unsplitCursor, type SeqSpan } from './unsplit-cursor.ts';

/** The definition, by repeated passes until nothing moves. */
function byRepeatedPasses(start: number, spans: readonly SeqSpan[]): number {
  let cursor = start;
  for (let moved = true; moved;) {
    moved = false;
    for (const s of spans)
      if (s.minSeq <= cursor && s.maxSeq > cursor) {
        cursor = s.minSeq - 1;
        moved = true;
      }
  }
  return cursor;
}

const span = fc
  .tuple(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 0, max: 40 }))
  .map(([minSeq, length]) => ({ minSeq, maxSeq: minSeq + length }));

describe('unsplitCursor', () => {
  it('stays at the start when no span straddles it', () => {
    assert.equal(
      unsplitCursor(10, [
        { minSeq: 3, maxSeq: 10 },
        { minSeq: 11, maxSeq: 20 },
      ]),
      10,
    );
  });

  it('moves below a chain of spans met in any order', () => {
    // 20 lies in [15, 25); 14 in [8, 16); 7 in [2, 9): the cursor ends at 1.
    const chain = [
      { minSeq: 2, maxSeq: 9 },
      { minSeq: 8, maxSeq: 16 },
      { minSeq: 15, maxSeq: 25 },
    ];
    assert.equal(unsplitCursor(20, chain), 1);
    assert.equal(unsplitCursor(20, [...chain].reverse()), 1);
  });

  it('agrees with repeated passes, and no span straddles what it gives', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 250 }), fc.array(span, { maxLength: 60 }), (start, spans) => {
        const cursor = unsplitCursor(start, spans);
        assert.equal(cursor, byRepeatedPasses(start, spans));
        assert.ok(cursor <= start);
        for (const s of spans) assert.ok(!(s.minSeq <= cursor && s.maxSeq > cursor));
      }),
    );
  });

  it('gives the same cursor over the merged spans, which are disjoint, ordered and none empty', () => {
    fc.assert(
      fc.property(fc.array(span, { maxLength: 60 }), (spans) => {
        const merged = mergeSpans(spans);
        for (let start = 0; start <= 250; start++)
          assert.equal(unsplitCursor(start, merged), unsplitCursor(start, spans));
        merged.forEach((s, i) => {
          assert.ok(s.maxSeq > s.minSeq);
          const before = merged[i - 1];
          if (before !== undefined) assert.ok(before.maxSeq < s.minSeq);
        });
      }),
    );
  });

  it('merges a chain of overlapping spans into one', () => {
    assert.deepEqual(
      mergeSpans([
        { minSeq: 15, maxSeq: 25 },
        { minSeq: 2, maxSeq: 9 },
        { minSeq: 9, maxSeq: 16 },
        { minSeq: 30, maxSeq: 30 },
        { minSeq: 40, maxSeq: 41 },
      ]),
      [
        { minSeq: 2, maxSeq: 25 },
        { minSeq: 40, maxSeq: 41 },
      ],
    );
  });
});

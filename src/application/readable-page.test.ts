import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { MAX_SCANNED_PAGES, readablePage } from './readable-page.ts';

interface Row {
  readonly seq: number;
  readonly readable: boolean;
}

/** A listing after a cursor, in seq order, as the stores give it; counts its calls. */
function listing(rows: readonly Row[]) {
  const calls: number[] = [];
  const read = (afterSeq: number | undefined, limit: number): Promise<readonly Row[]> => {
    calls.push(limit);
    return Promise.resolve(rows.filter((r) => r.seq > (afterSeq ?? 0)).slice(0, limit));
  };
  return { read, calls };
}

const rowsArb = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.double({ min: 0, max: 1, noNaN: true })), {
    maxLength: 400,
  })
  .chain((steps) =>
    fc.double({ min: 0, max: 1, noNaN: true }).map((density) => {
      let seq = 0;
      // Gaps in seq, as a listing filtered by box or kind has them.
      return steps.map(([gap, draw]): Row => ({ seq: (seq += gap), readable: draw < density }));
    }),
  );

test('following the cursor gives every readable row once, in order, in pages as full as the budget allows', async () => {
  await fc.assert(
    fc.asyncProperty(rowsArb, fc.integer({ min: 1, max: 30 }), async (rows, limit) => {
      const { read, calls } = listing(rows);
      const got: number[] = [];
      let afterSeq: number | undefined;
      for (let requests = 0; ; requests += 1) {
        assert.ok(requests <= rows.length + 1, 'the cursor moves on');
        const before = calls.length;
        const page = await readablePage(read, { afterSeq, limit }, (r) => r.readable);
        const reads = calls.length - before;
        assert.ok(reads >= 1 && reads <= MAX_SCANNED_PAGES);
        assert.ok(page.items.length <= limit);
        // Short only at the end, or when the scan used its whole budget.
        if (page.items.length < limit) assert.ok(page.nextAfterSeq === null || reads === MAX_SCANNED_PAGES);
        for (const row of page.items) {
          assert.ok(row.readable);
          got.push(row.seq);
        }
        if (page.nextAfterSeq === null) break;
        assert.ok(afterSeq === undefined || page.nextAfterSeq > afterSeq);
        afterSeq = page.nextAfterSeq;
      }
      assert.deepEqual(
        got,
        rows.filter((r) => r.readable).map((r) => r.seq),
      );
    }),
    { numRuns: 500 },
  );
});

test('a reader who may read every row gets one store read a page, as an unfiltered listing pages', async () => {
  const rows = Array.from({ length: 25 }, (_, i): Row => ({ seq: i + 1, readable: true }));
  const { read, calls } = listing(rows);
  const first = await readablePage(read, { limit: 10 }, (r) => r.readable);
  assert.deepEqual(
    first.items.map((r) => r.seq),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  assert.equal(first.nextAfterSeq, 10);
  const last = await readablePage(read, { afterSeq: 20, limit: 5 }, (r) => r.readable);
  assert.deepEqual(
    last.items.map((r) => r.seq),
    [21, 22, 23, 24, 25],
  );
  assert.equal(last.nextAfterSeq, null);
  assert.deepEqual(calls, [11, 6]);
});

test('a listing that ends inside a store page is not read again', async () => {
  const rows = Array.from({ length: 10 }, (_, i): Row => ({ seq: i + 1, readable: i % 2 === 0 }));
  const { read, calls } = listing(rows);
  const page = await readablePage(read, { limit: 10 }, (r) => r.readable);
  assert.deepEqual(
    page.items.map((r) => r.seq),
    [1, 3, 5, 7, 9],
  );
  assert.equal(page.nextAfterSeq, null);
  assert.deepEqual(calls, [11]);
});

/** @module Where a fusion cursor may stand: the highest sequence at or below a start that no group straddles. */

/** A group's sequence span: the lowest and highest sequence of the observations it was decided on. */
export interface SeqSpan {
  readonly minSeq: number;
  readonly maxSeq: number;
}

/**
 * The highest sequence at or below `start` that no span straddles (`minSeq ≤ seq < maxSeq`): a cursor
 * there never splits a group, so re-reading after it regroups whole groups only.
 *
 * One pass over the spans by `minSeq`, highest first: a span whose `minSeq` is above the cursor can
 * never straddle it (the cursor only moves down), and one that straddles it moves it below its
 * `minSeq`, past every span already passed. Every sequence skipped lies inside the span that moved the
 * cursor, so what remains is the highest that none straddles. (Repeating passes until nothing moved, as
 * this once did, is quadratic in the spans: ~10 % of a live server's main thread on a worst day.)
 */
export function unsplitCursor(start: number, spans: readonly SeqSpan[]): number {
  const byMinDescending = spans.filter((s) => s.minSeq <= start).sort((a, b) => b.minSeq - a.minSeq);
  let cursor = start;
  for (const span of byMinDescending)
    if (span.minSeq <= cursor && span.maxSeq > cursor) cursor = span.minSeq - 1;
  return cursor;
}

/**
 * The same sequences straddled, as few spans as possible: disjoint, in order, none empty. What
 * {@link unsplitCursor} gives depends only on which sequences some span straddles, so it gives the
 * same for these. On a worst day the groups' spans overlap one another without a gap for hours (every
 * seed's candidates reach past the next seed), so the cursor cannot pass them, and kept one by one they
 * grew into the thousands; merged they are one or a few.
 */
export function mergeSpans(spans: readonly SeqSpan[]): SeqSpan[] {
  const sorted = spans.filter((s) => s.maxSeq > s.minSeq).sort((a, b) => a.minSeq - b.minSeq);
  const merged: { minSeq: number; maxSeq: number }[] = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    // Straddled: minSeq … maxSeq − 1. Spans that overlap or meet cover one run of sequences.
    if (last !== undefined && span.minSeq <= last.maxSeq) last.maxSeq = Math.max(last.maxSeq, span.maxSeq);
    else merged.push({ minSeq: span.minSeq, maxSeq: span.maxSeq });
  }
  return merged;
}

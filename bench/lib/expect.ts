/** @module A benchmark that loses or miscounts records is not measuring the product: check the counts. */
import type { Manifest } from '../generate-observations.ts';

export interface Counts {
  readonly accepted: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly rejected: number;
}

/** Throws unless `got` is what the generator says an ingest of its file must report. */
export function checkCounts(what: string, got: Partial<Counts>, expected: Manifest['expected']): void {
  const wrong = (Object.keys(expected) as (keyof Counts)[]).filter((key) => got[key] !== expected[key]);
  if (wrong.length > 0)
    throw new Error(
      `${what} reported ${wrong.map((k) => `${k}=${String(got[k])}`).join(', ')}; the data holds ${wrong
        .map((k) => `${k}=${expected[k]}`)
        .join(', ')}`,
    );
}

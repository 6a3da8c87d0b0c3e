/**
 * @module `truceline ingest FILE…|DIR`: NDJSON observation files and UCDP GED CSV files, streamed in
 * batches through the same use case as the HTTP API. Exits 0 when the run completed (whatever the
 * counts), 1 when the run itself failed.
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseCsv } from 'csv-parse';
import type { AppDeps } from '../../application/app-deps.ts';
import {
  commitObservations,
  validateObservations,
  type Rejection,
} from '../../application/record-observations.ts';
import { registerSource } from '../../application/register-source.ts';
import type { RawRecord, RecordInput } from '../../core/observations/raw-record.ts';
import { UCDP_GED_SOURCE_ID, ucdpGedRowToObservation } from '../../core/observations/ucdp-ged-row.ts';

export interface IngestOptions {
  /** Records per transaction. */
  readonly batchSize: number;
  /** Who ran the ingest (an operator action): recorded in each batch's origin. */
  readonly operator?: string;
  /** Told after each batch with the bytes read so far of the current file. */
  readonly onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
  /** Awaited after each batch's commit (before the next commit): fusion keeps up this way. */
  readonly onBatch?: () => Promise<void>;
}

export interface IngestSummary {
  accepted: number;
  duplicates: number;
  conflicts: number;
  rejected: number;
  rejections: { file: string; line: number; field: string; reason: string }[];
}

export const DEFAULT_INGEST_BATCH = 20_000;

/** Expands directories (their *.ndjson, *.jsonl and *.csv files, sorted) and checks files exist. */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (info.isDirectory()) {
      const names = (await readdir(path))
        .filter((n) => ['.ndjson', '.jsonl', '.csv'].includes(extname(n)))
        .sort();
      files.push(...names.map((n) => join(path, n)));
    } else files.push(path);
  }
  return files;
}

/** Batches read and validating while an earlier one commits (each holds up to `batchSize` lines). */
const VALIDATED_AHEAD = 2;

/** Ingests every file; returns the summed report. */
export async function ingestFiles(
  deps: AppDeps,
  files: readonly string[],
  options: IngestOptions,
): Promise<IngestSummary> {
  const summary: IngestSummary = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, rejections: [] };
  for (const file of files) {
    const origin = `file:${basename(file)}${options.operator === undefined ? '' : ` operator:${options.operator}`}`;
    const total = (await stat(file)).size;
    // Batches commit in order, one at a time, while the next ones are validated (on worker threads
    // when the validator has them).
    let previous: Promise<void> = Promise.resolve();
    const pending: Promise<void>[] = [];
    const commit = async (input: RecordInput, bytesRead: number): Promise<void> => {
      const validating = validateObservations(deps, { input, origin });
      // Keep an unobserved rejection from crashing the process before it is awaited below.
      validating.catch(() => undefined);
      const committed = previous.then(async () => {
        const batch = await validating;
        const report = await commitObservations(deps, { origin }, batch);
        summary.accepted += report.accepted;
        summary.duplicates += report.duplicates;
        summary.conflicts += report.conflicts;
        summary.rejected += report.rejected;
        for (const r of report.rejections) summary.rejections.push(toLine(file, r));
        options.onProgress?.(file, bytesRead, total);
        await options.onBatch?.();
      });
      // Awaited below or at the end (a failure also fails every later commit, which chain on it).
      committed.catch(() => undefined);
      previous = committed;
      pending.push(committed);
      // Reading runs ahead by up to VALIDATED_AHEAD batches: a commit holds this thread, and the
      // threads that validate must not wait for it to end before they get their next batch.
      while (pending.length > VALIDATED_AHEAD) await pending.shift();
    };
    if (extname(file).toLowerCase() === '.csv') await ingestUcdpCsv(deps, file, options.batchSize, commit);
    else await ingestNdjson(file, options.batchSize, commit);
    await previous;
  }
  return summary;
}

const toLine = (file: string, r: Rejection) => ({ file, line: r.position, field: r.field, reason: r.reason });

type Commit = (input: RecordInput, bytesRead: number) => Promise<void>;

/**
 * Streams the file and hands it on in pieces of `batchSize` lines, as bytes: decoding and parsing
 * happen in the validator (on worker threads when it has them), so this thread only finds line ends.
 */
async function ingestNdjson(file: string, batchSize: number, commit: Commit): Promise<void> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  // The bytes read since the last cut, and how many whole lines they hold.
  let held: Buffer[] = [];
  let lines = 0;
  let firstLine = 1;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let cut = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, end + 1)) {
      lines += 1;
      if (lines === batchSize) {
        held.push(chunk.subarray(cut, end));
        await commit(
          { format: 'ndjson', text: Buffer.concat(held), firstPosition: firstLine },
          stream.bytesRead,
        );
        held = [];
        firstLine += lines;
        lines = 0;
        cut = end + 1;
      }
    }
    if (cut < chunk.length) held.push(chunk.subarray(cut));
  }
  if (held.length > 0)
    await commit({ format: 'ndjson', text: Buffer.concat(held), firstPosition: firstLine }, stream.bytesRead);
}

async function ingestUcdpCsv(deps: AppDeps, file: string, batchSize: number, commit: Commit): Promise<void> {
  if ((await deps.store.sources.find(UCDP_GED_SOURCE_ID)) === undefined) {
    await registerSource(deps, {
      id: UCDP_GED_SOURCE_ID,
      kind: 'osint',
      organisation: 'ucdp',
      name: 'UCDP Georeferenced Event Dataset (CC BY 4.0)',
    });
  }
  const input = createReadStream(file);
  const parser = input.pipe(parseCsv({ columns: true, bom: true, info: true, relax_column_count: false }));
  let batch: RawRecord[] = [];
  let lastLine = 1; // the header
  const flush = async (): Promise<void> => {
    await commit({ format: 'records', records: batch }, input.bytesRead);
    batch = [];
  };
  for await (const item of parser as AsyncIterable<{
    record: Record<string, string>;
    info: { lines: number };
  }>) {
    const line = lastLine + 1;
    lastLine = item.info.lines;
    const text = JSON.stringify(item.record);
    const converted = ucdpGedRowToObservation(item.record);
    batch.push(
      'value' in converted
        ? { position: line, text, value: converted.value }
        : { position: line, text, issues: converted.issues },
    );
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
}

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
import type { RawRecord } from '../../application/raw-record.ts';
import { parseRecordText } from '../../application/raw-record.ts';
import { recordObservations, type Rejection } from '../../application/record-observations.ts';
import { registerSource } from '../../application/register-source.ts';
import { UCDP_GED_SOURCE_ID, ucdpGedRowToObservation } from '../../core/observations/ucdp-ged-row.ts';

export interface IngestOptions {
  /** Records per transaction. */
  readonly batchSize: number;
  /** Told after each batch with the bytes read so far of the current file. */
  readonly onProgress?: (file: string, bytesRead: number, totalBytes: number) => void;
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

/** Ingests every file; returns the summed report. */
export async function ingestFiles(
  deps: AppDeps,
  files: readonly string[],
  options: IngestOptions,
): Promise<IngestSummary> {
  const summary: IngestSummary = { accepted: 0, duplicates: 0, conflicts: 0, rejected: 0, rejections: [] };
  for (const file of files) {
    const origin = `file:${basename(file)}`;
    const total = (await stat(file)).size;
    const commit = async (batch: RawRecord[], bytesRead: number): Promise<void> => {
      const report = await recordObservations(deps, { records: batch, origin });
      summary.accepted += report.accepted;
      summary.duplicates += report.duplicates;
      summary.conflicts += report.conflicts;
      summary.rejected += report.rejected;
      for (const r of report.rejections) summary.rejections.push(toLine(file, r));
      options.onProgress?.(file, bytesRead, total);
    };
    if (extname(file).toLowerCase() === '.csv') await ingestUcdpCsv(deps, file, options.batchSize, commit);
    else await ingestNdjson(file, options.batchSize, commit);
  }
  return summary;
}

const toLine = (file: string, r: Rejection) => ({ file, line: r.position, field: r.field, reason: r.reason });

type Commit = (batch: RawRecord[], bytesRead: number) => Promise<void>;

async function ingestNdjson(file: string, batchSize: number, commit: Commit): Promise<void> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let carry = '';
  let line = 0;
  let batch: RawRecord[] = [];
  for await (const chunk of stream as AsyncIterable<string>) {
    const text = carry + chunk;
    let start = 0;
    for (let end = text.indexOf('\n', start); end !== -1; end = text.indexOf('\n', start)) {
      line += 1;
      pushLine(batch, text, start, end, line);
      start = end + 1;
      if (batch.length >= batchSize) {
        await commit(batch, stream.bytesRead);
        batch = [];
      }
    }
    carry = text.slice(start);
  }
  if (carry !== '') pushLine(batch, carry, 0, carry.length, line + 1);
  if (batch.length > 0) await commit(batch, stream.bytesRead);
}

function pushLine(batch: RawRecord[], text: string, start: number, end: number, line: number): void {
  const stop = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
  const raw = text.slice(start, stop);
  if (raw.trim() !== '') batch.push(parseRecordText(raw, line));
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
    if (batch.length >= batchSize) {
      await commit(batch, input.bytesRead);
      batch = [];
    }
  }
  if (batch.length > 0) await commit(batch, input.bytesRead);
}

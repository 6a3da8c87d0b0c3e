/**
 * @module `npm run bench -- ledger [--rows N] [--log-entries M]`: the ledger's figures, each beside a
 * limit measured in the same run.
 *
 * - append: ≥ 100,000 entries/s persisted to SQLite in batches of 1,000 (leaves and subtree hashes in
 *   the same transaction), beside raw inserts of the same rows and the hash floor (3n−1 SHA-256);
 * - verify: an export for everyone of M entries (default 10,000,000), streamed: ≥ 40 % of the hash
 *   floor and ≥ 100,000 entries/s, peak memory ≤ 256 MB;
 * - proofs: 10,000 random inclusion and consistency pairs on that log through the SQLite store, warm,
 *   each verified: p95 ≤ 1 ms.
 * The M-entry log and its export are built first (the append code, not timed as a figure; several GB —
 * free disk is checked).
 */
import { statfsSync } from 'node:fs';
import { runTask } from '../lib/child.ts';
import { removeDb, sizes, type Area } from '../lib/context.ts';
import { growthOf, loadNow, makeItem, type BenchItem, type RunSample } from '../lib/results.ts';
import { percentile } from '../lib/stats.ts';
import type { LedgerAppendArgs, LedgerAppendResult } from '../tasks/ledger-append.ts';
import type { LedgerProofsArgs, LedgerProofsResult } from '../tasks/ledger-proofs.ts';
import type { LedgerVerifyArgs, LedgerVerifyResult } from '../tasks/ledger-verify.ts';

const APPEND_TARGET = 100_000;
const VERIFY_TARGET = 100_000;
const VERIFY_FLOOR_SHARE = 0.4;
const VERIFY_RSS_MB = 256;
const PROOF_P95_MS = 1;
/** Bytes of disk an export line and its log rows take, about (checked before building). */
const BYTES_PER_ENTRY = 1_300;

export const DEFAULT_LOG_ENTRIES = 10_000_000;

const median = (values: readonly number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export function ledgerArea(logEntries: number): Area {
  return async (context) => {
    const items: BenchItem[] = [];

    // --- append, at N/10 and N rows.
    const bySize: { rows: number; samples: RunSample[] }[] = [];
    for (const rows of sizes(context)) {
      const samples: RunSample[] = [];
      for (let run = 1; run <= context.runs; run += 1) {
        context.log(`ledger append ${rows.toLocaleString('en')} entries, run ${run}/${context.runs}`);
        const dbPath = context.tmpPath('append.db');
        const rawDbPath = context.tmpPath('raw.db');
        const { result, peakRssMb } = await runTask<LedgerAppendResult>(
          'ledger-append',
          { rows, dbPath, rawDbPath, seed: context.seed + run } satisfies LedgerAppendArgs,
          context.nodeOptions,
        );
        removeDb(dbPath);
        removeDb(rawDbPath);
        const value = rows / result.appendSeconds;
        const raw = rows / (result.rawSeconds ?? Infinity);
        const floor = result.hashFloorRows / result.hashFloorSeconds;
        context.log(
          `  ${Math.round(value).toLocaleString('en')} entries/s; raw inserts ${Math.round(raw).toLocaleString('en')}/s; hash floor ${Math.round(floor).toLocaleString('en')}/s`,
        );
        samples.push({
          value,
          limit: raw,
          peakRssMb,
          limitPeakRssMb: peakRssMb,
          extra: {
            hashFloorPerSecond: Math.round(floor),
            shareOfHashFloor: Number((value / floor).toFixed(3)),
            meanRecordBytes: Math.round(result.meanRecordBytes),
            loadAvg1m: loadNow(),
          },
        });
      }
      bySize.push({ rows, samples });
    }
    const large = bySize.at(-1);
    if (large !== undefined) {
      const value = median(large.samples.map((s) => s.value));
      const small = bySize.length > 1 ? bySize[0] : undefined;
      items.push(
        makeItem({
          name: 'ledger-append',
          unit: 'entries/s',
          limitName: 'raw inserts of the same rows (entries, subtree hashes, head), same batches',
          better: 'higher',
          rows: large.rows,
          samples: large.samples,
          target: `≥ ${APPEND_TARGET.toLocaleString('en')} entries/s in batches of 1,000`,
          met: value >= APPEND_TARGET,
          ...(small === undefined ? {} : { growth: growthOf('higher', small, large) }),
          extra: {
            hashFloorPerSecond: median(large.samples.map((s) => Number(s.extra?.hashFloorPerSecond ?? 0))),
            hashFloor:
              'the same 3n−1 SHA-256 (commitments, leaves, nodes) over the same bytes, in memory, crypto.hash',
          },
        }),
      );
    }

    // --- the large log and its export, then verify and proofs on them.
    const free = statfsSync(context.tmpDir);
    const needed = logEntries * BYTES_PER_ENTRY;
    if (free.bavail * free.bsize < needed * 1.2)
      throw new Error(
        `the ${logEntries.toLocaleString('en')}-entry log needs about ${Math.round(needed / 1e9)} GB free in ${context.tmpDir}`,
      );
    context.log(
      `building a ${logEntries.toLocaleString('en')}-entry log and its export (about ${Math.round(needed / 1e9)} GB)`,
    );
    const logDb = context.tmpPath('log.db');
    const exportFile = context.tmpPath('export.ndjson');
    const built = await runTask<LedgerAppendResult>(
      'ledger-append',
      {
        rows: logEntries,
        dbPath: logDb,
        exportFile,
        hashFloorRows: 0,
        seed: context.seed,
      } satisfies LedgerAppendArgs,
      context.nodeOptions,
    );
    context.log(
      `  built in ${built.result.appendSeconds.toFixed(0)} s of appends (${Math.round(logEntries / built.result.appendSeconds).toLocaleString('en')} entries/s); export ${((built.result.exportBytes ?? 0) / 1e9).toFixed(1)} GB`,
    );

    const verifySamples: RunSample[] = [];
    for (let run = 1; run <= context.runs; run += 1) {
      context.log(`ledger verify of ${logEntries.toLocaleString('en')} entries, run ${run}/${context.runs}`);
      const verifyArgs = {
        exportFile,
        verifierKey: built.result.verifierKey ?? '',
        hashFloorRows: 1_000_000,
      };
      const { result, peakRssMb } = await runTask<LedgerVerifyResult>(
        'ledger-verify',
        { ...verifyArgs, mode: 'verify' } satisfies LedgerVerifyArgs,
        context.nodeOptions,
      );
      // The floor in a process of its own: it holds its entries in memory, the verification must not.
      const floorRun = await runTask<LedgerVerifyResult>(
        'ledger-verify',
        { ...verifyArgs, mode: 'floor' } satisfies LedgerVerifyArgs,
        context.nodeOptions,
      );
      const value = result.entries / result.seconds;
      const floor = floorRun.result.hashFloorRows / floorRun.result.hashFloorSeconds;
      context.log(
        `  ${Math.round(value).toLocaleString('en')} entries/s (${((value / floor) * 100).toFixed(0)} % of the hash floor ${Math.round(floor).toLocaleString('en')}/s); peak ${Math.round(peakRssMb)} MB`,
      );
      verifySamples.push({
        value,
        limit: floor,
        peakRssMb,
        limitPeakRssMb: floorRun.peakRssMb,
        extra: { seconds: Number(result.seconds.toFixed(1)), loadAvg1m: loadNow() },
      });
    }
    const verifyValue = median(verifySamples.map((s) => s.value));
    const verifyRatio = median(verifySamples.map((s) => s.value / s.limit));
    const verifyRss = Math.max(...verifySamples.map((s) => s.peakRssMb));
    items.push(
      makeItem({
        name: 'ledger-verify',
        unit: 'entries/s',
        limitName:
          'hash floor: the same 3n−1 SHA-256 over the same bytes in memory (per entry, on the first 1,000,000)',
        better: 'higher',
        rows: logEntries,
        samples: verifySamples,
        target: `≥ ${VERIFY_FLOOR_SHARE * 100} % of the hash floor and ≥ ${VERIFY_TARGET.toLocaleString('en')} entries/s, streaming, peak ≤ ${VERIFY_RSS_MB} MB`,
        met: verifyRatio >= VERIFY_FLOOR_SHARE && verifyValue >= VERIFY_TARGET && verifyRss <= VERIFY_RSS_MB,
        extra: { exportBytes: built.result.exportBytes },
      }),
    );

    context.log('ledger proofs: 10,000 random pairs of each kind, warm');
    const proofSamples: RunSample[] = [];
    let lastProofs: LedgerProofsResult | undefined;
    for (let run = 1; run <= context.runs; run += 1) {
      const { result, peakRssMb } = await runTask<LedgerProofsResult>(
        'ledger-proofs',
        { dbPath: logDb, pairs: 10_000, warm: 1_000, seed: context.seed + run } satisfies LedgerProofsArgs,
        context.nodeOptions,
      );
      lastProofs = result;
      const all = [...result.inclusionMs, ...result.consistencyMs];
      const p95 = percentile(all, 95);
      context.log(
        `  p95 ${p95.toFixed(3)} ms (inclusion ${percentile(result.inclusionMs, 95).toFixed(3)}, consistency ${percentile(result.consistencyMs, 95).toFixed(3)})`,
      );
      proofSamples.push({
        value: p95,
        limit: PROOF_P95_MS,
        peakRssMb,
        limitPeakRssMb: peakRssMb,
        extra: {
          inclusionP95Ms: Number(percentile(result.inclusionMs, 95).toFixed(4)),
          consistencyP95Ms: Number(percentile(result.consistencyMs, 95).toFixed(4)),
          p50Ms: Number(percentile(all, 50).toFixed(4)),
          loadAvg1m: loadNow(),
        },
      });
    }
    const proofP95 = median(proofSamples.map((s) => s.value));
    items.push(
      makeItem({
        name: 'ledger-proofs',
        unit: 'ms p95',
        limitName: 'the target (1 ms): proofs have no cheaper way on this store',
        better: 'lower',
        rows: lastProofs?.size ?? logEntries,
        samples: proofSamples,
        target: `p95 ≤ ${PROOF_P95_MS} ms over 10,000 inclusion and 10,000 consistency proofs, each verified`,
        met: proofP95 <= PROOF_P95_MS,
      }),
    );
    removeDb(logDb);
    return items;
  };
}

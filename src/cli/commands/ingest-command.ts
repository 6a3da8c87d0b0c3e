/** @module The `ingest` command's output: counts (or `--json`) on stdout, a progress bar on stderr on a terminal. */
import { SingleBar } from 'cli-progress';
import { userInfo } from 'node:os';
import { basename } from 'node:path';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { expandPaths, ingestFiles, type IngestSummary } from './ingest.ts';
import { ingestSimulation, isSimulationDir } from './ingest-simulation.ts';
import { describeError } from '../describe-error.ts';

export async function ingestCommand(
  runtime: CliRuntime,
  paths: readonly string[],
  options: StoreOptions & { json: boolean; batchSize: number; operator?: string },
): Promise<number> {
  // A simulator directory is taken whole (agreement, sources, observations; never the truth).
  const simulations = paths.filter(isSimulationDir);
  let files: string[];
  try {
    const expanded = await expandPaths(paths.filter((p) => !simulations.includes(p)));
    files = expanded.files;
    for (const entry of expanded.skipped) runtime.stderr(`truceline ingest: skipped ${entry}\n`);
  } catch (error) {
    runtime.stderr(`truceline ingest: ${describeError(error)}\n`);
    return 1;
  }
  const deps = await runtime.openDeps(options, 'bulk');
  const bar = runtime.isTty
    ? new SingleBar({ format: ' {file} [{bar}] {percentage}% {value}/{total} bytes', hideCursor: true })
    : undefined;
  let current = '';
  const progress = {
    batchSize: options.batchSize,
    operator: options.operator ?? operatorName(),
    onProgress: (file: string, bytesRead: number, total: number) => {
      if (bar === undefined) return;
      if (file !== current) {
        if (current !== '') bar.stop();
        current = file;
        bar.start(total, 0, { file: basename(file) });
      }
      bar.update(bytesRead);
    },
  };
  let summary: IngestSummary;
  let fusion: { events: number; violations: number } | undefined;
  /** The process that fuses what a simulator directory stored, when it was not this one. */
  let fusedBy: { purpose: string; pid: number; host: string } | undefined;
  try {
    summary = await ingestFiles(deps, files, progress);
    for (const dir of simulations) {
      const simulated = await ingestSimulation(
        deps,
        runtime.fusionLogic,
        dir,
        progress,
        runtime.fusionLease(deps, 'ingest'),
        (holder) =>
          runtime.stderr(
            `truceline ingest: ${dir}: waiting for ingest (process ${holder.pid} on ${holder.host}), which fuses this store, to finish\n`,
          ),
      );
      if (simulated.fusedBy !== undefined) {
        const by = simulated.fusedBy;
        fusedBy = { purpose: by.purpose, pid: by.pid, host: by.host };
        runtime.stderr(
          `truceline ingest: ${dir}: observations stored; fusion left to ${by.purpose} (process ${by.pid} on ${by.host}), which holds fusion’s lease on this store and fuses them\n`,
        );
      }
      summary = {
        accepted: summary.accepted + simulated.accepted,
        duplicates: summary.duplicates + simulated.duplicates,
        conflicts: summary.conflicts + simulated.conflicts,
        rejected: summary.rejected + simulated.rejected,
        rejections: [...summary.rejections, ...simulated.rejections],
      };
      fusion = {
        events: (fusion?.events ?? 0) + simulated.events,
        violations: (fusion?.violations ?? 0) + simulated.violations,
      };
    }
  } catch (error) {
    bar?.stop();
    runtime.stderr(`truceline ingest: the run failed: ${describeError(error)}\n`);
    return 1;
  } finally {
    await deps.store.close();
  }
  bar?.stop();
  if (options.json) {
    const { accepted, duplicates, conflicts, rejected } = summary;
    const rejections = summary.rejections.map(({ file, line, field, reason }) => ({
      file,
      line,
      field,
      reason,
    }));
    runtime.stdout(
      `${JSON.stringify({ accepted, duplicates, conflicts, rejected, rejections, ...(fusion ?? {}), ...(fusedBy === undefined ? {} : { fusedBy }) })}\n`,
    );
  } else {
    runtime.stdout(
      `accepted ${summary.accepted}, duplicates ${summary.duplicates}, conflicts ${summary.conflicts}, rejected ${summary.rejected}\n`,
    );
    if (fusion !== undefined)
      runtime.stdout(`events ${fusion.events}, potential violations ${fusion.violations}\n`);
    // A hostile file's text reaches the reasons (a parser quotes it) and the paths (unknown keys):
    // control characters are shown escaped, never sent to the terminal.
    for (const r of summary.rejections)
      runtime.stdout(`${printable(r.file)}:${r.line}: ${printable(r.field)}: ${printable(r.reason)}\n`);
  }
  return 0;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with its control characters (C0, DEL, C1) written as `\u` escapes. */
function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The OS login name, for the record of who ran an ingest; never a prompt. */
function operatorName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
}

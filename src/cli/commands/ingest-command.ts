/** @module The `ingest` command's output: counts (or `--json`) on stdout, a progress bar on stderr on a terminal. */
import { SingleBar } from 'cli-progress';
import { basename } from 'node:path';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { expandPaths, ingestFiles, type IngestSummary } from './ingest.ts';

export async function ingestCommand(
  runtime: CliRuntime,
  paths: readonly string[],
  options: StoreOptions & { json: boolean; batchSize: number },
): Promise<number> {
  let files: string[];
  try {
    files = await expandPaths(paths);
  } catch (error) {
    runtime.stderr(`truceline ingest: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const deps = await runtime.openDeps(options);
  const bar = runtime.isTty
    ? new SingleBar({ format: ' {file} [{bar}] {percentage}% {value}/{total} bytes', hideCursor: true })
    : undefined;
  let current = '';
  let summary: IngestSummary;
  try {
    summary = await ingestFiles(deps, files, {
      batchSize: options.batchSize,
      onProgress: (file, bytesRead, total) => {
        if (bar === undefined) return;
        if (file !== current) {
          if (current !== '') bar.stop();
          current = file;
          bar.start(total, 0, { file: basename(file) });
        }
        bar.update(bytesRead);
      },
    });
  } catch (error) {
    bar?.stop();
    runtime.stderr(
      `truceline ingest: the run failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  } finally {
    await deps.store.close();
  }
  bar?.stop();
  if (options.json) {
    const { accepted, duplicates, conflicts, rejected } = summary;
    const rejections = summary.rejections.map(({ line, field, reason }) => ({ line, field, reason }));
    runtime.stdout(`${JSON.stringify({ accepted, duplicates, conflicts, rejected, rejections })}\n`);
  } else {
    runtime.stdout(
      `accepted ${summary.accepted}, duplicates ${summary.duplicates}, conflicts ${summary.conflicts}, rejected ${summary.rejected}\n`,
    );
    for (const r of summary.rejections) runtime.stdout(`${r.file}:${r.line}: ${r.field}: ${r.reason}\n`);
  }
  return 0;
}

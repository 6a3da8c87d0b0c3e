/**
 * @module `truceline ingest DIR` for a simulator directory (agreement.json, sources.json,
 * observations.ndjson, truth.ndjson): registers the agreement, then the sources, then ingests the
 * observations — never the truth — and runs fusion, attribution and the rules in process to the end,
 * storing events and potential violations exactly as the server would.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AppDeps } from '../../application/app-deps.ts';
import type { FusionLeaseKeeper, LeaseHold } from '../../application/fusion-lease.ts';
import { FusionPipeline, type FusionLogic } from '../../application/fusion-pipeline.ts';
import type { FusionLease } from '../../core/ports/fusion-store.ts';
import { registerAgreement } from '../../application/register-agreement.ts';
import { addSourceKey } from '../../application/manage-source-keys.ts';
import { registerSource } from '../../application/register-source.ts';
import { ingestFiles, type IngestOptions, type IngestSummary } from './ingest.ts';
import { readUtf8File } from '../read-utf8.ts';
import { describeError } from '../describe-error.ts';
import type { Source } from '../../core/sources/source.ts';

/** The files of a simulator directory. */
export const SIMULATION_FILES = {
  keys: 'keys.json',
  agreement: 'agreement.json',
  sources: 'sources.json',
  observations: 'observations.ndjson',
  truth: 'truth.ndjson',
} as const;

/** Whether `dir` is a simulator directory (it has the agreement, the sources and the observations). */
export const isSimulationDir = (dir: string): boolean =>
  [SIMULATION_FILES.agreement, SIMULATION_FILES.sources, SIMULATION_FILES.observations].every((f) =>
    existsSync(join(dir, f)),
  );

export interface SimulationIngestSummary extends IngestSummary {
  readonly agreementId: string;
  readonly sources: number;
  readonly events: number;
  readonly violations: number;
  /**
   * Set when another process (a server) held fusion's lease: the observations are stored, and that
   * process fuses them; this run made no event.
   */
  readonly fusedBy?: FusionLease;
}

/**
 * Registers a simulator directory's agreement, then its sources and their public keys (so their
 * batches can also be posted signed); returns the agreement's id and the number of sources.
 */
export async function registerSimulation(
  deps: AppDeps,
  dir: string,
): Promise<{ agreementId: string; sources: number }> {
  const sources = JSON.parse(await readUtf8File(join(dir, SIMULATION_FILES.sources))) as unknown;
  if (!Array.isArray(sources)) throw new Error(`${SIMULATION_FILES.sources} must be a JSON array of sources`);
  // Before anything is written: a source the store holds as another sensor is refused, not overwritten.
  const heldBefore = new Set<string>();
  for (const [index, source] of sources.entries()) {
    const id = (source as { id?: unknown } | null)?.id;
    const existing = typeof id === 'string' ? await deps.store.sources.find(id) : undefined;
    if (existing === undefined) continue;
    heldBefore.add(existing.id);
    if (!sameSensor(existing, source as Record<string, unknown>))
      throw new Error(
        `${SIMULATION_FILES.sources}[${index}]: source ${existing.id} is registered otherwise in this store: a simulator directory goes into a database of its own`,
      );
  }
  const registered = await registerAgreement(deps, {
    text: await readUtf8File(join(dir, SIMULATION_FILES.agreement)),
    format: 'json',
  });
  for (const [index, source] of sources.entries()) {
    try {
      await registerSource(deps, source);
    } catch (error) {
      throw new Error(`${SIMULATION_FILES.sources}[${index}]: ${describeError(error)}`, { cause: error });
    }
  }
  const keysPath = join(dir, SIMULATION_FILES.keys);
  if (existsSync(keysPath)) {
    // A simulator's keys come from its seed: anyone can make them again. They are added to the
    // sources this run registered, never to a source the store held before.
    for (const key of simulatorKeys(JSON.parse(await readUtf8File(keysPath)))) {
      if (heldBefore.has(key.sourceId)) continue;
      if ((await deps.store.sources.findKey(key.keyId)) === undefined) await addSourceKey(deps, key);
    }
  }
  return { agreementId: registered.record.id, sources: sources.length };
}

/** How often a waiting ingest asks for fusion's lease again, ms. */
const LEASE_POLL_MS = 500;

/**
 * Fusion's lease once no other ingest holds it: held by this process, or by a server (which fuses
 * what is stored). An ingest that died lets go when its claim runs out (or at once, on this host).
 */
async function leaseOnceNoIngestHolds(lease: FusionLeaseKeeper): Promise<LeaseHold> {
  for (;;) {
    const hold = await lease.hold();
    if (hold.held || hold.lease.purpose !== 'ingest') return hold;
    await new Promise((resolve) => setTimeout(resolve, LEASE_POLL_MS));
  }
}

/** Whether a stored source is the sensor a simulator's registration describes (it again, not another). */
function sameSensor(stored: Source, registration: Record<string, unknown>): boolean {
  const sensor = (s: Record<string, unknown>) =>
    JSON.stringify([
      s.kind,
      s.organisation,
      s.position ?? null,
      s.orientationDeg ?? null,
      s.capabilities ?? {},
    ]);
  return sensor(stored as unknown as Record<string, unknown>) === sensor(registration);
}

/** keys.json: `{ sourceId, keyId, publicKeySpkiB64 }` each, or an error naming the entry and field. */
function simulatorKeys(value: unknown): { sourceId: string; keyId: string; publicKeySpkiB64: string }[] {
  if (!Array.isArray(value)) throw new Error(`${SIMULATION_FILES.keys} must be a JSON array of keys`);
  return value.map((entry: unknown, index) => {
    const key = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    for (const field of ['sourceId', 'keyId', 'publicKeySpkiB64'])
      if (typeof key[field] !== 'string' || key[field] === '')
        throw new Error(`${SIMULATION_FILES.keys}[${index}].${field}: must be a non-empty string`);
    return {
      sourceId: key.sourceId as string,
      keyId: key.keyId as string,
      publicKeySpkiB64: key.publicKeySpkiB64 as string,
    };
  });
}

/**
 * Ingests a simulator directory and fuses it to the end — holding fusion's lease while it does, when
 * given one. When a server holds it, the observations are stored and left to the server to fuse: two
 * pipelines on one store would each group arrivals the other cannot see, and this one's final drain
 * would move the cursor past groups the server still waits on. When another ingest holds it, the
 * observations are stored, and this one fuses them once that one has finished.
 */
export async function ingestSimulation(
  deps: AppDeps,
  logic: FusionLogic,
  dir: string,
  options: IngestOptions,
  lease?: FusionLeaseKeeper,
): Promise<SimulationIngestSummary> {
  const { agreementId, sources } = await registerSimulation(deps, dir);
  const observations = join(dir, SIMULATION_FILES.observations);
  const hold = await lease?.hold();
  if (lease !== undefined && hold?.held === false) {
    const summary = await ingestFiles(deps, [observations], options);
    // Another ingest fuses the store, and stops when its own file ends: wait for it, then fuse what it
    // left. A server goes on fusing: what was stored is its to fuse.
    const after = await leaseOnceNoIngestHolds(lease);
    if (!after.held)
      return { ...summary, events: 0, violations: 0, agreementId, sources, fusedBy: after.lease };
    try {
      const report = await new FusionPipeline(deps, logic, { agreementId, lease }).run(true);
      return { ...summary, events: report.events, violations: report.violations, agreementId, sources };
    } finally {
      await lease.release();
    }
  }
  try {
    const pipeline = new FusionPipeline(deps, logic, {
      agreementId,
      ...(lease === undefined ? {} : { lease }),
    });
    const fused = await ingestFused(deps, pipeline, observations, options);
    return { ...fused, agreementId, sources };
  } finally {
    await lease?.release();
  }
}

/**
 * Ingests an observations file with `pipeline` keeping up batch by batch, so memory holds only what is
 * still being grouped. With `endOfInput` (the default) everything still waiting is grouped at the end;
 * without, it waits for observations still to come (a server's pipeline, fed day after day).
 */
export async function ingestFused(
  deps: AppDeps,
  pipeline: FusionPipeline,
  file: string,
  options: IngestOptions,
  endOfInput = true,
): Promise<IngestSummary & { readonly events: number; readonly violations: number }> {
  let events = 0;
  let violations = 0;
  const summary = await ingestFiles(deps, [file], {
    ...options,
    onBatch: async () => {
      const step = await pipeline.run(false);
      events += step.events;
      violations += step.violations;
    },
  });
  const last = await pipeline.run(endOfInput);
  return { ...summary, events: events + last.events, violations: violations + last.violations };
}

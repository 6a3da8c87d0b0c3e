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
import { sourceRegistrationSchema, type SourceRegistration } from '../../core/sources/source-schema.ts';
import { validationError } from '../../core/errors.ts';
import { fieldIssues } from '../../core/validation/field-issues.ts';
import { canonicalJson } from '../../core/observations/canonical-json.ts';

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
  // Everything is checked before anything is written: a failed run leaves the store as it was.
  const registrations = sources.map((source: unknown, index) => {
    const parsed = sourceRegistrationSchema.safeParse(source);
    if (parsed.success) return parsed.data;
    const invalid = validationError('the source registration is invalid', fieldIssues(parsed.error));
    throw new Error(`${SIMULATION_FILES.sources}[${index}]: ${describeError(invalid)}`, { cause: invalid });
  });
  const keysPath = join(dir, SIMULATION_FILES.keys);
  const keys = existsSync(keysPath) ? simulatorKeys(JSON.parse(await readUtf8File(keysPath))) : [];
  const listed = new Set(registrations.map((r) => r.id));
  for (const [index, key] of keys.entries())
    if (!listed.has(key.sourceId))
      throw new Error(
        `${SIMULATION_FILES.keys}[${index}].sourceId: ${key.sourceId} is not a source of ${SIMULATION_FILES.sources}`,
      );
  // A source the store held before is never rewritten (its name, its marking) and takes no key of the
  // simulator's — they come from its seed, and anyone can make them again. One that is another sensor
  // under the same id refuses the whole directory.
  const heldBefore = new Set<string>();
  for (const [index, registration] of registrations.entries()) {
    const existing = await deps.store.sources.find(registration.id);
    if (existing === undefined) continue;
    heldBefore.add(existing.id);
    if (!sameSensor(existing, registration))
      throw new Error(
        `${SIMULATION_FILES.sources}[${index}]: source ${existing.id} is registered otherwise in this store: a simulator directory goes into a database of its own`,
      );
  }
  const registered = await registerAgreement(deps, {
    text: await readUtf8File(join(dir, SIMULATION_FILES.agreement)),
    format: 'json',
  });
  for (const [index, source] of sources.entries()) {
    if (heldBefore.has(registrations[index]?.id ?? '')) continue;
    try {
      await registerSource(deps, source);
    } catch (error) {
      throw new Error(`${SIMULATION_FILES.sources}[${index}]: ${describeError(error)}`, { cause: error });
    }
  }
  for (const key of keys) {
    if (heldBefore.has(key.sourceId)) continue;
    if ((await deps.store.sources.findKey(key.keyId)) === undefined) await addSourceKey(deps, key);
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

/** Whether a stored source is the sensor a registration describes (it again, not another): key order aside. */
function sameSensor(stored: Source, registration: SourceRegistration): boolean {
  const sensor = (s: {
    kind: unknown;
    organisation: unknown;
    position?: unknown;
    orientationDeg?: unknown;
    capabilities?: unknown;
  }) =>
    canonicalJson([
      s.kind,
      s.organisation,
      s.position ?? null,
      s.orientationDeg ?? null,
      s.capabilities ?? {},
    ]);
  return sensor(stored) === sensor(registration);
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
 * would move the cursor past groups the server still waits on. When another ingest holds it, this one
 * waits for it to finish, then ingests and fuses as if alone.
 */
export async function ingestSimulation(
  deps: AppDeps,
  logic: FusionLogic,
  dir: string,
  options: IngestOptions,
  lease?: FusionLeaseKeeper,
  /** Told when another ingest holds fusion's lease, before this one waits for it. */
  waiting?: (holder: FusionLease) => void,
): Promise<SimulationIngestSummary> {
  const { agreementId, sources } = await registerSimulation(deps, dir);
  const observations = join(dir, SIMULATION_FILES.observations);
  let hold = await lease?.hold();
  if (lease !== undefined && hold?.held === false && hold.lease.purpose === 'ingest') {
    // Another ingest fuses the store and stops when its own file ends: this one waits for it before
    // storing anything. Stored meanwhile, its observations would move fusion's watermark under the
    // other's groups, and end other events than the two runs one after the other.
    waiting?.(hold.lease);
    hold = await leaseOnceNoIngestHolds(lease);
  }
  if (hold?.held === false) {
    // A server fuses what is stored.
    const summary = await ingestFiles(deps, [observations], options);
    return { ...summary, events: 0, violations: 0, agreementId, sources, fusedBy: hold.lease };
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

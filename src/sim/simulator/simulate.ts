/**
 * @module The simulator with ground truth: a ceasefire line under an agreement's terms, a monitoring
 * network along it, what the parties do over some hours, and what the network reports — the inputs of
 * fusion and the truth to grade it against. Deterministic for a seed. See docs/simulator.md.
 */
import { createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { sourceKeyId, writeSourceKeyFile } from '../../client/source-key.ts';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  agreementVersions,
  getTermsInForce,
  parseAgreement,
  type Agreement,
} from '../../core/agreement/index.ts';
import type { SourceRegistration } from '../../core/sources/source-schema.ts';
import { LineFrame } from './geo.ts';
import { buildNetwork, sidesOf } from './network.ts';
import { Prng } from './prng.ts';
import { sense } from './sensing.ts';
import type { Intensity, RunTruth, TruthRecord } from './truth.ts';
import { weaponClassesOf } from './weapons.ts';
import { buildWorld } from './world.ts';

export interface SimulationOptions {
  /** The agreement document, and its format. */
  readonly agreementText: string;
  readonly format: 'yaml' | 'json';
  /** Length of the run, hours (> 0). */
  readonly hours: number;
  /** Seed of every random draw: the same seed gives byte-identical files. */
  readonly seed: number;
  readonly intensity: Intensity;
  /** Start of the run, ms since the epoch; default `defaultStartMs(agreement)`. */
  readonly startMs?: number;
  /**
   * Seed of the sensors' places: a live feed made of consecutive runs keeps one network with it while
   * each run's fire, outages and reports come from the run's own seed. Without it the places come from
   * `seed` and the outages after them from the same draws, so giving `networkSeed` equal to `seed`
   * places the sensors alike but gives other outages (and other files) than leaving it out.
   */
  readonly networkSeed?: number;
}

export interface Simulation {
  /** The agreement as JSON text, registrable as is. */
  readonly agreementJson: string;
  readonly sources: readonly SourceRegistration[];
  /** Observation lines (JSON), in the order the network delivers them. */
  readonly observations: readonly string[];
  /** Truth records; the first is the `run` record. */
  readonly truth: readonly TruthRecord[];
  /** The run's seed (the sources' simulated keys derive from it). */
  readonly seed: number;
}

const DAY_MS = 86_400_000;

/** The default start: the first UTC midnight at least a day after the latest version took effect. */
export function defaultStartMs(agreement: Agreement): number {
  const versions = agreementVersions(agreement);
  const latest = versions[versions.length - 1];
  if (latest === undefined) throw new Error(`agreement ${agreement.id} has no version`);
  return Math.ceil((latest.effectiveFromMs + DAY_MS) / DAY_MS) * DAY_MS;
}

/** Reads the agreement document and returns it as JSON text that `parseAgreement(text, 'json')` accepts. */
export function agreementAsJson(
  text: string,
  format: 'yaml' | 'json',
): { json: string; agreement: Agreement } {
  const value: unknown = format === 'json' ? JSON.parse(text) : parseYaml(text, { maxAliasCount: 100 });
  const json = `${JSON.stringify(value, null, 2)}\n`;
  const { agreement, issues } = parseAgreement(json, 'json');
  if (agreement === undefined)
    throw new Error(
      `the agreement is not valid: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.reason}`)
        .join('; ')}`,
    );
  return { json, agreement };
}

/** Runs the simulation in memory. */
export function simulate(options: SimulationOptions): Simulation {
  if (!(options.hours > 0)) throw new RangeError('hours must be more than 0');
  const { json, agreement } = agreementAsJson(options.agreementText, options.format);
  const startMs = options.startMs ?? defaultStartMs(agreement);
  const endMs = startMs + Math.round(options.hours * 3_600_000);
  const terms = getTermsInForce(agreement, startMs);
  const line = terms.referenceLines[0];
  if (line === undefined) throw new Error(`agreement ${agreement.id} has no reference line in force`);
  const frame = new LineFrame(line);
  const sides = sidesOf(terms, frame);
  const stream = (n: number) => Prng.stream(options.seed, n);
  const network = buildNetwork(
    terms,
    frame,
    sides,
    Prng.stream(options.networkSeed ?? options.seed, 1),
    startMs,
    endMs,
    options.networkSeed === undefined ? undefined : stream(12),
  );
  const weaponClasses = weaponClassesOf(terms);
  const ctx = { terms, frame, sides, intensity: options.intensity, startMs, endMs };
  const world = buildWorld(ctx, {
    fire: stream(2),
    placements: stream(3),
    troops: stream(4),
    drones: stream(5),
  });
  const sensed = sense({ ...ctx, weaponClasses }, network, world, {
    acoustic: stream(6),
    radar: stream(7),
    delivery: stream(8),
    optical: stream(9),
    patrol: stream(10),
    complaint: stream(11),
  });
  const lines = sensed.lines.sort(
    (a, b) => a.deliverMs - b.deliverMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const byTime = <T extends { timeMs: number }>(items: T[]): T[] => items.sort((a, b) => a.timeMs - b.timeMs);
  const body: TruthRecord[] = [
    ...world.escalations,
    ...sensed.outages,
    ...world.placements,
    ...world.troops,
    ...world.drones,
    ...sensed.monitorFlights,
    ...sensed.rounds,
    ...byTime(sensed.falseAlarms),
    ...byTime(sensed.impediments),
    ...sensed.complaints,
  ];
  const counts: Record<string, number> = {};
  for (const record of body) counts[record.type] = (counts[record.type] ?? 0) + 1;
  const run: RunTruth = {
    type: 'run',
    agreementId: agreement.id,
    version: terms.version,
    seed: options.seed,
    intensity: options.intensity,
    startMs,
    endMs,
    referenceLineId: line.id,
    lineLengthKm: Math.round(frame.lengthKm * 1000) / 1000,
    weaponClasses,
    radarFrontShare: network.radarFrontShare,
    counts,
    observationLines: lines.length,
  };
  return {
    agreementJson: json,
    seed: options.seed,
    sources: network.registrations,
    observations: lines.map((l) => l.json),
    truth: [run, ...body],
  };
}

/** The files `writeSimulation` writes into its directory. */
export const SIMULATION_FILES = {
  agreement: 'agreement.json',
  sources: 'sources.json',
  observations: 'observations.ndjson',
  truth: 'truth.ndjson',
  /** Each source's public signing key: `[{ sourceId, keyId, publicKeySpkiB64 }]`. */
  keys: 'keys.json',
  /** Each source's private key, `keys/<source id>.key` (the format `truceline post --key` reads). */
  keyDir: 'keys',
} as const;

/** PKCS#8 DER of an Ed25519 private key, up to its 32-byte seed (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A source's signing key, derived from the run's seed and the source id, so a simulation stays the
 * same for the same seed. Simulated keys protect nothing: they let the batches be signed as a real
 * gateway signs them.
 */
export function simulatedSourceKey(
  seed: number,
  sourceId: string,
): { keyId: string; privateKeyPem: string; publicKeySpkiB64: string } {
  const secret = createHash('sha256').update(`truceline-simulated-key|${seed}|${sourceId}`).digest();
  const privateKey = createPrivateKey({
    key: Buffer.concat([ED25519_PKCS8_PREFIX, secret]),
    format: 'der',
    type: 'pkcs8',
  });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    keyId: sourceKeyId(spki),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeySpkiB64: spki.toString('base64'),
  };
}

const ndjson = (lines: readonly string[]): string => (lines.length === 0 ? '' : `${lines.join('\n')}\n`);

/** Writes the four files, the sources' public keys and their key files into `dir` (created if missing). */
export async function writeSimulation(dir: string, simulation: Simulation): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, SIMULATION_FILES.agreement), simulation.agreementJson);
  await writeFile(join(dir, SIMULATION_FILES.sources), `${JSON.stringify(simulation.sources, null, 2)}\n`);
  await writeFile(join(dir, SIMULATION_FILES.observations), ndjson(simulation.observations));
  await writeFile(join(dir, SIMULATION_FILES.truth), ndjson(simulation.truth.map((r) => JSON.stringify(r))));
  await mkdir(join(dir, SIMULATION_FILES.keyDir), { recursive: true, mode: 0o700 });
  const registry = [];
  for (const source of simulation.sources) {
    const key = simulatedSourceKey(simulation.seed, source.id);
    await writeSourceKeyFile(
      join(dir, SIMULATION_FILES.keyDir, `${source.id}.key`),
      { sourceId: source.id, keyId: key.keyId, privateKeyPem: key.privateKeyPem },
      { overwrite: true },
    );
    registry.push({ sourceId: source.id, keyId: key.keyId, publicKeySpkiB64: key.publicKeySpkiB64 });
  }
  await writeFile(join(dir, SIMULATION_FILES.keys), `${JSON.stringify(registry, null, 2)}\n`);
}

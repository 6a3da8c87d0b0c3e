// `truceline simulate` run as a user runs it: the files it writes are valid input for the rest of
// Truceline, the same seed gives the same bytes, and the ground truth holds the defaults of
// src/sim/simulator/defaults.ts.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  distanceToLineKm,
  getTermsInForce,
  parseAgreement,
  sideOf,
  containsPoint,
  type AreaGeometry,
  type Terms,
} from '../../src/core/agreement/index.ts';
import { wgs84 } from '../../src/core/agreement/geodesic.ts';
import {
  ARRIVAL_SIGMA_S,
  LEVEL_SIGMA_DB,
  MAX_WIND_MS,
  NOMINAL_SOUND_SPEED_MS,
  spreadingLossDb,
} from '../../src/core/fusion/propagation.ts';
import { validateObservation } from '../../src/core/observations/validate-observation.ts';
import { sourceRegistrationSchema, type SourceRegistration } from '../../src/core/sources/source-schema.ts';
import {
  ACOUSTIC_BEARING_SIGMA_DEG,
  LAUNCH_DISTANCE_KM,
  RADAR_DETECTION,
  RADAR_FRONT_SHARE,
} from '../../src/sim/simulator/defaults.ts';
import type { RoundTruth, RunTruth, TruthRecord } from '../../src/sim/simulator/truth.ts';
import { runCli } from '../helpers/cli.ts';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { parseSourceKeyFile } from '../../src/client/source-key.ts';

const FILES = ['agreement.json', 'sources.json', 'observations.ndjson', 'truth.ndjson'] as const;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

interface Output {
  readonly dir: string;
  readonly text: Readonly<Record<(typeof FILES)[number], string>>;
  readonly sources: SourceRegistration[];
  readonly observations: Record<string, unknown>[];
  readonly truth: TruthRecord[];
  readonly run: RunTruth;
  readonly terms: Terms;
}

let root: string;

async function simulate(name: string, args: readonly string[]): Promise<Output> {
  const dir = join(root, name);
  const result = await runCli(['simulate', '--out', dir, ...args]);
  assert.equal(result.code, 0, result.stderr);
  const text = Object.fromEntries(
    FILES.map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  ) as Output['text'];
  const lines = (t: string) => t.split('\n').filter((l) => l !== '');
  const truth = lines(text['truth.ndjson']).map((l) => JSON.parse(l) as TruthRecord);
  const run = truth[0];
  assert.equal(run?.type, 'run');
  const { agreement, issues } = parseAgreement(text['agreement.json'], 'json');
  assert.deepEqual(issues, []);
  assert.ok(agreement);
  return {
    dir,
    text,
    sources: JSON.parse(text['sources.json']) as SourceRegistration[],
    observations: lines(text['observations.ndjson']).map((l) => JSON.parse(l) as Record<string, unknown>),
    truth,
    run,
    terms: getTermsInForce(agreement, run.startMs),
  };
}

const ofType = <T extends TruthRecord['type']>(out: Output, type: T) =>
  out.truth.filter((r): r is Extract<TruthRecord, { type: T }> => r.type === type);

/** Sensor-hours up and the share of time down, over the run, from the outage records. */
function downShare(out: Output): { upHours: Map<string, number>; share: number } {
  const fixed = out.sources.filter((s) => s.position !== undefined);
  const hours = (out.run.endMs - out.run.startMs) / 3_600_000;
  const upHours = new Map(fixed.map((s) => [s.id, hours]));
  let down = 0;
  for (const o of ofType(out, 'sensor-outage')) {
    const h = (Math.min(o.toMs, out.run.endMs) - Math.max(o.fromMs, out.run.startMs)) / 3_600_000;
    if (h <= 0) continue;
    down += h;
    upHours.set(o.sourceId, (upHours.get(o.sourceId) ?? 0) - h);
  }
  return { upHours, share: down / (fixed.length * hours) };
}

describe('truceline simulate', () => {
  let worst: Output;
  let again: Output;
  let other: Output;
  let quiet: Output;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'truceline-simulate-'));
    const worstArgs = [
      '--agreement',
      'donbas-2015',
      '--hours',
      '2',
      '--seed',
      '7',
      '--intensity',
      'worst-day',
    ];
    [worst, again] = await Promise.all([simulate('worst', worstArgs), simulate('again', worstArgs)]);
    [other, quiet] = await Promise.all([
      simulate('other', [
        '--agreement',
        'donbas-2015',
        '--hours',
        '2',
        '--seed',
        '8',
        '--intensity',
        'worst-day',
      ]),
      // The agreement as written by the first run, given as a file.
      simulate('quiet', [
        '--agreement',
        join(root, 'worst', 'agreement.json'),
        '--hours',
        '24',
        '--seed',
        '7',
        '--intensity',
        'quiet',
      ]),
    ]);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('the same seed writes byte-identical files; another seed other observations and truth', () => {
    for (const file of FILES) assert.equal(sha256(again.text[file]), sha256(worst.text[file]), file);
    assert.notEqual(sha256(other.text['observations.ndjson']), sha256(worst.text['observations.ndjson']));
    assert.notEqual(sha256(other.text['truth.ndjson']), sha256(worst.text['truth.ndjson']));
  });

  test('agreement.json is the shipped agreement, registrable as is', () => {
    assert.equal(worst.terms.agreementId, 'donbas-2015');
    assert.equal(worst.run.version, worst.terms.version);
    assert.equal(quiet.text['agreement.json'], worst.text['agreement.json']);
  });

  test('sources validate, ids are unique, fixed sensors have positions', () => {
    for (const source of worst.sources) sourceRegistrationSchema.parse(source);
    assert.equal(new Set(worst.sources.map((s) => s.id)).size, worst.sources.length);
    for (const kind of ['acoustic', 'radar', 'camera'])
      for (const s of worst.sources.filter((x) => x.kind === kind)) assert.ok(s.position, s.id);
    const kinds = new Set(worst.sources.map((s) => s.kind));
    for (const kind of ['acoustic', 'radar', 'camera', 'drone', 'satellite', 'patrol', 'complaint'])
      assert.ok(kinds.has(kind as SourceRegistration['kind']), kind);
  });

  test('every observation validates and comes from a registered source of its kind, in delivery order', () => {
    for (const out of [worst, quiet]) {
      const kindOf = new Map(out.sources.map((s) => [s.id, s.kind]));
      const receivedAtMs = out.run.endMs + 86_400_000;
      let latest = -Infinity;
      const ids = new Set<string>();
      for (const raw of out.observations) {
        const result = validateObservation(raw, receivedAtMs, sha256);
        assert.ok(result.ok, JSON.stringify(result.ok ? null : result.issues) + JSON.stringify(raw));
        const { sourceId, kind, recordId, observedAtMs } = result.observation;
        const sourceKind = kindOf.get(sourceId);
        assert.ok(sourceKind !== undefined, `unregistered source ${sourceId}`);
        if (kind !== 'heartbeat') assert.equal(kind, sourceKind, recordId);
        assert.ok(!ids.has(`${sourceId}/${recordId}`), `repeated id ${recordId}`);
        ids.add(`${sourceId}/${recordId}`);
        // Delivered roughly in time order: nothing arrives more than the longest delay out of order.
        latest = Math.max(latest, observedAtMs);
        assert.ok(latest - observedAtMs <= 2 * 3_600_000, `${recordId} out of order`);
        assert.ok(observedAtMs >= out.run.startMs - 1000 && observedAtMs < out.run.endMs + 3_600_000);
      }
    }
    const kinds = new Set(quiet.observations.map((o) => o.kind));
    for (const kind of ['acoustic', 'radar', 'heartbeat', 'patrol', 'satellite', 'drone', 'complaint'])
      assert.ok(kinds.has(kind), kind);
  });

  test('worst-day: at least 7,000 violations per 24 h; quiet: tens a day', () => {
    const violations = (out: Output) =>
      out.truth.filter((r) => 'conduct' in r && r.conduct !== null && r.type !== 'round').length +
      ofType(out, 'round').filter((r) => r.conduct !== null).length;
    const hours = (out: Output) => (out.run.endMs - out.run.startMs) / 3_600_000;
    assert.ok(violations(worst) >= (7000 * hours(worst)) / 24, String(violations(worst)));
    assert.ok(violations(other) >= (7000 * hours(other)) / 24, String(violations(other)));
    assert.ok(violations(quiet) >= 10 && violations(quiet) < 300, String(violations(quiet)));
  });

  test('launches lie on the firing party’s side at the distances of the table; impacts mostly across', () => {
    const rounds = ofType(worst, 'round');
    assert.ok(rounds.length > 500);
    let within3 = 0;
    let across = 0;
    for (const r of rounds) {
      assert.equal(sideOf(worst.terms, r.launch.lat, r.launch.lon), r.party, r.id);
      const d = distanceToLineKm(worst.terms, r.party, r.launch.lat, r.launch.lon);
      assert.ok(Math.abs(d - r.launch.distanceToLineKm) < 0.002, r.id);
      assert.ok(d <= LAUNCH_DISTANCE_KM[r.weaponType].max + 0.3, `${r.id} ${r.weaponType} at ${d} km`);
      if (d <= 3) within3++;
      const impactSide = sideOf(worst.terms, r.impact.lat, r.impact.lon);
      if (impactSide !== null && impactSide !== r.party) across++;
      assert.ok(r.impact.timeMs > r.launch.timeMs);
      assert.ok(r.launch.timeMs >= worst.run.startMs && r.launch.timeMs < worst.run.endMs);
    }
    assert.ok(within3 / rounds.length >= 0.2, `${within3} of ${rounds.length} within 3 km`);
    assert.ok(across / rounds.length >= 0.8, `${across} of ${rounds.length} across the line`);
    const types = new Set(rounds.map((r) => r.weaponType));
    assert.equal(types.size, 4);
  });

  test('every arrival is what the propagation model gives, heard by an array that was up', () => {
    const byId = new Map(worst.observations.map((o) => [`${String(o.sourceId)}/${String(o.id)}`, o]));
    const position = new Map(worst.sources.map((s) => [s.id, s.position]));
    const outages = ofType(worst, 'sensor-outage');
    const wasDown = (id: string, t: number) =>
      outages.some((o) => o.sourceId === id && t >= o.fromMs && t < o.toMs);
    let arrivals = 0;
    let sumSq = 0;
    let directionSum = 0;
    let directionSumSq = 0;
    let levelSumSq = 0;
    for (const r of ofType(worst, 'round')) {
      assert.ok(Math.abs(r.soundSpeedMs / NOMINAL_SOUND_SPEED_MS - 1) <= 0.02 + 1e-9);
      assert.ok(Math.hypot(r.windEastMs, r.windNorthMs) <= MAX_WIND_MS + 1e-6);
      assert.equal(r.timingSigmaMs, ARRIVAL_SIGMA_S * 1000);
      for (const end of [r.launch, r.impact]) {
        assert.deepEqual(
          end.detectedBy,
          end.arrivals.map((a) => a.sourceId),
        );
        for (const a of end.arrivals) {
          const s = position.get(a.sourceId);
          assert.ok(s);
          const g = wgs84.Inverse(end.lat, end.lon, s.lat, s.lon);
          const az = ((g.azi1 ?? 0) * Math.PI) / 180;
          const speed = r.soundSpeedMs + r.windEastMs * Math.sin(az) + r.windNorthMs * Math.cos(az);
          const expected = end.timeMs + ((g.s12 ?? 0) / speed) * 1000;
          assert.ok(Math.abs(expected - a.trueArrivalMs) < 0.01, `${r.id} ${a.sourceId}`);
          assert.ok(!wasDown(a.sourceId, a.trueArrivalMs), `${a.sourceId} was down`);
          const o = byId.get(`${a.sourceId}/${a.recordId}`);
          assert.ok(o, a.recordId);
          assert.equal((o.payload as { signal: string }).signal, a.signal);
          const error = Date.parse(String(o.observedAt)) - a.trueArrivalMs;
          sumSq += error * error;
          arrivals++;
          // The array's direction of arrival points back at the source, give or take its stated σ.
          const payload = o.payload as { bearingDeg: number; bearingSigmaDeg: number; snrDb: number };
          assert.equal(payload.bearingSigmaDeg, ACOUSTIC_BEARING_SIGMA_DEG);
          const back = wgs84.Inverse(s.lat, s.lon, end.lat, end.lon).azi1 ?? 0;
          const off = ((((payload.bearingDeg - back) % 360) + 540) % 360) - 180;
          directionSum += off;
          directionSumSq += off * off;
          const level = payload.snrDb + spreadingLossDb(g.s12 ?? 0) - 45;
          levelSumSq += level * level;
        }
      }
    }
    assert.ok(arrivals > 1000);
    // The timing error is about ARRIVAL_SIGMA_S (plus rounding to the millisecond).
    const rms = Math.sqrt(sumSq / arrivals);
    assert.ok(rms > 8 && rms < 12, `rms ${rms} ms`);
    // Directions: unbiased, with the stated σ (the wind turns them by under a degree on top).
    const meanOff = directionSum / arrivals;
    const sdOff = Math.sqrt(directionSumSq / arrivals - meanOff * meanOff);
    assert.ok(Math.abs(meanOff) < 0.3, `mean direction error ${meanOff}°`);
    assert.ok(Math.abs(sdOff / ACOUSTIC_BEARING_SIGMA_DEG - 1) < 0.08, `direction σ ${sdOff}°`);
    // Levels: 45 dB at 1 km less the spreading loss, with LEVEL_SIGMA_DB of error.
    const levelRms = Math.sqrt(levelSumSq / arrivals);
    assert.ok(Math.abs(levelRms / LEVEL_SIGMA_DB - 1) < 0.1, `level error ${levelRms} dB`);
  });

  test('radars cover at most 40 % of the front and track about 85 % of the rounds launched in cover', () => {
    assert.ok(worst.run.radarFrontShare > 0.25 && worst.run.radarFrontShare <= RADAR_FRONT_SHARE);
    const radars = worst.sources.filter((s) => s.kind === 'radar');
    const coverage = new Map(radars.map((s) => [s.id, s.capabilities?.coverage as AreaGeometry]));
    const outages = ofType(worst, 'sensor-outage');
    const up = (id: string, t: number) =>
      !outages.some((o) => o.sourceId === id && t >= o.fromMs && t < o.toMs);
    let covered = 0;
    let tracked = 0;
    for (const r of ofType(worst, 'round')) {
      const watching = [...coverage].filter(
        ([id, g]) => up(id, r.launch.timeMs) && containsPoint(g, r.launch.lat, r.launch.lon),
      );
      if (r.radar !== null)
        assert.ok(
          watching.some(([id]) => id === r.radar?.sourceId),
          r.id,
        );
      if (watching.length > 0) covered++;
      if (r.radar !== null) tracked++;
    }
    assert.ok(covered > 100);
    const share = tracked / covered;
    assert.ok(Math.abs(share - RADAR_DETECTION) < 0.06, String(share));
  });

  test('heavy weapons in a zone lie inside it by distanceToLineKm; legal ones outside every zone of their class', () => {
    for (const out of [worst, quiet]) {
      const placements = ofType(out, 'weapon-placement');
      assert.ok(placements.some((p) => p.zone !== null) && placements.some((p) => p.zone === null));
      for (const p of placements) {
        assert.equal(sideOf(out.terms, p.lat, p.lon), p.party, p.id);
        const d = distanceToLineKm(out.terms, p.party, p.lat, p.lon);
        const zones = out.terms.zones.filter(
          (z) => z.kind === 'limitation' && z.weaponClasses.includes(p.weaponClass),
        );
        assert.ok(zones.length > 0, p.id);
        if (p.zone === null)
          for (const z of zones) assert.ok(z.kind === 'limitation' && d >= z.distanceKm, p.id);
        else {
          const zone = zones.find((z) => z.id === p.zone);
          assert.ok(zone?.kind === 'limitation' && d < zone.distanceKm, p.id);
          assert.notEqual(p.conduct, null);
        }
      }
    }
  });

  test('false alarms: at least 2 per array per hour up; outages about 5 % of sensor time, and silent', () => {
    const { upHours, share } = downShare(quiet);
    assert.ok(share > 0.035 && share < 0.065, `down ${share}`);
    const alarms = ofType(quiet, 'false-alarm');
    const acoustic = quiet.sources.filter((s) => s.kind === 'acoustic').map((s) => s.id);
    const hoursUp = acoustic.reduce((sum, id) => sum + (upHours.get(id) ?? 0), 0);
    assert.ok(alarms.length / hoursUp >= 2, `${alarms.length / hoursUp} per sensor-hour`);
    // A sensor that is down reports nothing but heartbeats.
    const outages = ofType(quiet, 'sensor-outage');
    for (const o of quiet.observations) {
      if (o.kind === 'heartbeat' || !['acoustic', 'camera', 'radar'].includes(String(o.kind))) continue;
      const t = Date.parse(String(o.observedAt));
      const down = outages.find((x) => x.sourceId === o.sourceId && t >= x.fromMs + 100 && t < x.toMs - 100);
      assert.equal(down, undefined, String(o.id));
    }
    // Each outage that starts in the run is announced by a heartbeat saying "down".
    const downBeats = new Set(
      quiet.observations
        .filter((o) => o.kind === 'heartbeat' && (o.payload as { state: string }).state === 'down')
        .map((o) => `${String(o.sourceId)}@${String(o.observedAt)}`),
    );
    for (const o of outages.filter((x) => x.fromMs > quiet.run.startMs && x.fromMs < quiet.run.endMs))
      assert.ok(downBeats.has(`${o.sourceId}@${new Date(o.fromMs).toISOString()}`), o.sourceId);
  });

  test('complaints: the true ones are about fire that landed on the complainant’s side', () => {
    const missions = new Map<string, RoundTruth>();
    for (const r of ofType(quiet, 'round')) if (!missions.has(r.missionId)) missions.set(r.missionId, r);
    for (const out of [worst, quiet])
      for (const c of ofType(out, 'complaint')) {
        assert.notEqual(c.complainant, c.accused);
        if (!c.true) assert.equal(c.refersTo, null);
        else {
          const first = ofType(out, 'round').find((r) => r.missionId === c.refersTo);
          assert.ok(first, String(c.refersTo));
          assert.equal(first.party, c.accused);
          assert.equal(first.impact.side, c.complainant);
        }
      }
  });

  test('the files go into Truceline as they are: agreement registered, sources registered, every line accepted', async () => {
    const db = join(root, 'ingest.db');
    const register = await runCli(['agreement', 'register', join(worst.dir, 'agreement.json'), '--db', db]);
    assert.equal(register.code, 0, register.stderr);
    const sources = await runCli(['sources', 'register', join(worst.dir, 'sources.json'), '--db', db]);
    assert.equal(sources.code, 0, sources.stderr);
    const ingest = await runCli(['ingest', join(worst.dir, 'observations.ndjson'), '--db', db, '--json']);
    assert.equal(ingest.code, 0, ingest.stderr);
    const summary = JSON.parse(ingest.stdout) as { accepted: number; rejected: number };
    assert.deepEqual([summary.accepted, summary.rejected], [worst.observations.length, 0]);
  });

  test("each source's signing key is written beside sources.json (mode 0600), the same for the same seed, and signs batches the server accepts", async () => {
    const keys = JSON.parse(readFileSync(join(worst.dir, 'keys.json'), 'utf8')) as {
      sourceId: string;
      keyId: string;
      publicKeySpkiB64: string;
    }[];
    const sources = JSON.parse(worst.text['sources.json']) as { id: string }[];
    assert.deepEqual(keys.map((k) => k.sourceId).sort(), sources.map((s) => s.id).sort());
    assert.equal(
      readFileSync(join(again.dir, 'keys.json'), 'utf8'),
      readFileSync(join(worst.dir, 'keys.json'), 'utf8'),
    );
    const first = keys[0]!;
    const keyFile = join(worst.dir, 'keys', `${first.sourceId}.key`);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const parsed = parseSourceKeyFile(readFileSync(keyFile, 'utf8'));
    assert.deepEqual(
      [parsed.sourceId, parsed.keyId, parsed.publicKeySpkiB64],
      [first.sourceId, first.keyId, first.publicKeySpkiB64],
    );
    // `ingest DIR` registers the public keys with the sources.
    const db = join(root, 'keys.db');
    const ingest = await runCli(['ingest', worst.dir, '--db', db, '--json']);
    assert.equal(ingest.code, 0, ingest.stderr);
    const store = await openSqliteStore({ path: db });
    try {
      for (const key of keys.slice(0, 20))
        assert.equal((await store.sources.findKey(key.keyId))?.source.id, key.sourceId);
    } finally {
      await store.close();
    }
  });

  test("ingest DIR into a store that holds other sensors under the same ids is refused before anything is written; the simulator's keys go only to sources it registers", async () => {
    const sources = JSON.parse(quiet.text['sources.json']) as { id: string; organisation: string }[];
    const keys = JSON.parse(readFileSync(join(quiet.dir, 'keys.json'), 'utf8')) as {
      sourceId: string;
      keyId: string;
    }[];
    const [first, second] = sources;
    assert.ok(first !== undefined && second !== undefined);
    const registryOf = (source: object) => {
      const file = join(root, `registry-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(file, JSON.stringify([source]));
      return file;
    };

    // A real sensor that happens to share an id with the simulator's: refused, left as it was.
    const clash = join(root, 'clash.db');
    const real = { ...first, organisation: 'another-mission' };
    assert.equal((await runCli(['sources', 'register', registryOf(real), '--db', clash])).code, 0);
    const refused = await runCli(['ingest', quiet.dir, '--db', clash]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, new RegExp(`source ${first.id} is registered otherwise in this store`));
    let store = await openSqliteStore({ path: clash });
    try {
      assert.equal((await store.sources.get(first.id)).organisation, 'another-mission');
      assert.deepEqual((await store.sources.get(first.id)).keys, []);
      assert.equal((await store.sources.list()).length, 1);
      assert.equal(await store.observations.count(), 0);
      assert.deepEqual(await store.agreements.list(), []);
    } finally {
      await store.close();
    }

    // The same sensor registered before (without the simulator's key): it gets no key; the others do.
    const before = join(root, 'before.db');
    assert.equal((await runCli(['sources', 'register', registryOf(second), '--db', before])).code, 0);
    const ingested = await runCli(['ingest', quiet.dir, '--db', before]);
    assert.equal(ingested.code, 0, ingested.stderr);
    assert.equal((await runCli(['ingest', quiet.dir, '--db', before])).code, 0, 'the same directory again');
    store = await openSqliteStore({ path: before });
    try {
      for (const key of keys) {
        const found = await store.sources.findKey(key.keyId);
        if (key.sourceId === second.id) assert.equal(found, undefined);
        else assert.equal(found?.source.id, key.sourceId);
      }
    } finally {
      await store.close();
    }

    // The same directory with its JSON keys in another order is the same sensors.
    const reordered = join(root, 'reordered');
    cpSync(quiet.dir, reordered, { recursive: true });
    const flipped = (JSON.parse(quiet.text['sources.json']) as Record<string, unknown>[]).map((source) =>
      Object.fromEntries(Object.entries(source).reverse()),
    );
    writeFileSync(join(reordered, 'sources.json'), JSON.stringify(flipped));
    const again = await runCli(['ingest', reordered, '--db', before]);
    assert.equal(again.code, 0, again.stderr);

    // A key for a source the directory does not list (a real one in the store): refused, nothing written.
    const planted = join(root, 'planted');
    cpSync(quiet.dir, planted, { recursive: true });
    writeFileSync(
      join(planted, 'keys.json'),
      JSON.stringify([...keys, { ...keys[0], sourceId: 'real-sensor', keyId: 'planted-key' }]),
    );
    const target = join(root, 'planted.db');
    assert.equal(
      (await runCli(['sources', 'register', registryOf({ ...real, id: 'real-sensor' }), '--db', target]))
        .code,
      0,
    );
    const plantedRun = await runCli(['ingest', planted, '--db', target]);
    assert.equal(plantedRun.code, 1);
    assert.match(
      plantedRun.stderr,
      /keys\.json\[\d+\]\.sourceId: real-sensor is not a source of sources\.json/,
    );
    store = await openSqliteStore({ path: target });
    try {
      assert.equal(await store.sources.findKey('planted-key'), undefined);
      assert.equal((await store.sources.list()).length, 1, 'nothing of the directory was written');
    } finally {
      await store.close();
    }
  });

  test('bad options: an unknown agreement, an unknown intensity and a start without a zone are refused', async () => {
    /** One hour of seed 1 with `options`, into a directory of its own. */
    const simulateWith = (out: string, ...options: string[]) =>
      runCli(['simulate', '--hours', '1', '--seed', '1', ...options, '--out', join(root, out)]);
    const missing = await simulateWith('x', '--agreement', 'no-such');
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read agreement "no-such"/);
    const intensity = await simulateWith('y', '--agreement', 'donbas-2015', '--intensity', 'apocalyptic');
    assert.notEqual(intensity.code, 0);
    assert.match(intensity.stderr, /intensity/);
    // A start without its zone would be read in this machine's zone: refused.
    const zoneless = await simulateWith('z', '--agreement', 'donbas-2015', '--start', '2026-03-01T12:00:00');
    assert.equal(zoneless.code, 1);
    assert.match(zoneless.stderr, /--start must be an RFC 3339 time with a zone/);
  });
});

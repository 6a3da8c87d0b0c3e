import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { recordObservations } from '../../src/application/record-observations.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { FusionEngine, type AcousticFitter } from '../../src/core/fusion/engine.ts';
import { fitArrivals } from '../../src/core/fusion/fit-arrivals.ts';
import type { FusedEvent } from '../../src/core/fusion/event.ts';
import type { FusionInput } from '../../src/core/fusion/inputs.ts';
import { LocalFrame } from '../../src/core/fusion/local-frame.ts';
import type { PotentialViolation } from '../../src/core/rules/potential-violation.ts';
import { simulate } from '../../src/sim/simulator/simulate.ts';
import { SHIPPED_AGREEMENTS_DIR } from '../../src/cli/shipped-agreements.ts';
import { readFile } from 'node:fs/promises';
import { assemble, fusionLogic, openStore } from '../../src/main.ts';
import { fireScenario, SCENARIO_START_MS, type Scenario } from '../helpers/fusion-scenario.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function freshDeps(path?: string): Promise<AppDeps> {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-'));
  dirs.push(dir);
  const deps = assemble(await openStore({ db: path ?? join(dir, 'fusion.db') }), { validationThreads: 0 });
  return { ...deps, clock: { now: () => SCENARIO_START_MS + 86_400_000 } };
}

async function setUp(deps: AppDeps, scenario: Scenario): Promise<void> {
  await registerAgreement(deps, { text: scenario.agreementText, format: 'yaml' });
  for (const source of scenario.sources) await registerSource(deps, source);
}

const post = (deps: AppDeps, records: readonly unknown[]) =>
  recordObservations(deps, {
    input: { format: 'json', text: JSON.stringify(records) },
    origin: 'http',
  });

const distanceM = (a: { lat: number; lon: number }, b: { lat: number; lon: number }): number => {
  const p = new LocalFrame(a.lat, a.lon).toLocal(b.lat, b.lon);
  return Math.hypot(p.east, p.north);
};

describe('fusion pipeline on a stored scenario', () => {
  test('each launch becomes one event at its point, attributed to the party that fired, with a potential violation that explains itself', async () => {
    const scenario = await fireScenario(4);
    const deps = await freshDeps();
    await setUp(deps, scenario);
    const report = await post(deps, scenario.records);
    assert.equal(report.accepted, scenario.records.length);
    const pipeline = new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015' });
    const step = await pipeline.run(true);
    assert.equal(step.events, scenario.launches.length);

    const events = await deps.store.fusion.listEvents({ limit: 100 });
    assert.equal(events.length, scenario.launches.length);
    for (const launch of scenario.launches) {
      const match = events.find((e) => Math.abs(e.event.timeMs - launch.timeMs) < 2_000);
      assert.ok(match, `no event for the launch at ${new Date(launch.timeMs).toISOString()}`);
      assert.ok(match.event.location);
      assert.ok(distanceM(match.event.location, launch) < 300, 'the event is far from the launch');
      assert.equal(match.event.phase, 'launch');
      assert.equal(match.event.provenance.length, 8, 'false alarms must not join');
    }

    const violations = await deps.store.fusion.listViolations({ limit: 100 });
    const fire = violations.filter((v) => v.violation.clause === 'ceasefire-violation');
    assert.equal(fire.length, scenario.launches.length);
    for (const v of fire) {
      const launch = scenario.launches.find((l) => Math.abs(l.timeMs - v.violation.timeMs) < 2_000);
      assert.ok(launch);
      assert.equal(v.violation.party, launch.party);
      assert.equal(v.violation.attribution.decision, 'attributed');
      assert.match(v.violation.agreementVersion, /^donbas-2015@\d+$/);
      assert.ok(v.violation.explanation.length > 40);
    }
    await deps.store.close();
  });

  test('a pipeline restarted part-way ends with the same events and potential violations as an uninterrupted run', async () => {
    const scenario = await fireScenario(8);
    const half = Math.floor(scenario.records.length / 2);

    const whole = await freshDeps();
    await setUp(whole, scenario);
    await post(whole, scenario.records);
    await new FusionPipeline(whole, fusionLogic, { agreementId: 'donbas-2015' }).run(true);

    const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-'));
    dirs.push(dir);
    const path = join(dir, 'restarted.db');
    const first = await freshDeps(path);
    await setUp(first, scenario);
    await post(first, scenario.records.slice(0, half));
    await new FusionPipeline(first, fusionLogic, { agreementId: 'donbas-2015' }).run(false);
    const partial = await first.store.fusion.listEvents({ limit: 100 });
    assert.ok(
      partial.length > 0 && partial.length < scenario.launches.length,
      'the first run finalised part',
    );
    await first.store.close();

    const second = await freshDeps(path);
    await post(second, scenario.records.slice(half));
    await new FusionPipeline(second, fusionLogic, { agreementId: 'donbas-2015' }).run(true);

    // Commit sequences differ between the two databases (fusion's commits interleave differently with
    // the observations'); everything else must be the same.
    const heads = async (deps: AppDeps) => ({
      events: (await deps.store.fusion.listEvents({ limit: 100 }))
        .map(({ event: { asOfSeq: _a, provenance, ...e } }) => ({
          ...e,
          provenance: provenance.map(({ seq: _s, ...c }) => c),
        }))
        .sort(byId),
      violations: (await deps.store.fusion.listViolations({ limit: 100 }))
        .map(({ violation: { supportingSeqs: _s, ...v } }) => v)
        .sort(byId),
    });
    assert.deepEqual(await heads(second), await heads(whole));
    await whole.store.close();
    await second.store.close();
  });
});

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

test("a flooding sensor's arrivals are recorded as set aside, each once, also when the pipeline restarts among them", async () => {
  const scenario = await fireScenario(4);
  const [launch] = scenario.launches.slice(1);
  const flooder = scenario.records.find((r) => r.sourceId === 'ac-3' && String(r.id).startsWith('l1-'));
  assert.ok(launch && flooder);
  // 130 arrivals within 2.6 s, beside its real one: every one of them has more than 64 within 10 s.
  const flood = Array.from({ length: 130 }, (_, i) => ({
    ...flooder,
    id: `flood-${i}`,
    observedAt: new Date(Date.parse(String(flooder.observedAt)) - 1_300 + i * 20 + 7).toISOString(),
  }));
  const sorted = [...scenario.records, ...flood].sort((a, b) =>
    String(a.observedAt).localeCompare(String(b.observedAt)),
  );
  // Two other sensors' arrivals come after the flood, dated so that the watermark lets fusion take
  // its first half only (lateness 120 s, longest travel 140.625 s, half a crowding window 5 s and the
  // 1 s a candidate may lie past the longest travel): that
  // half is set aside while the rest waits, and the cursor stays below the whole flood.
  const middleMs = Date.parse(flood[70]?.observedAt ?? '');
  const ticks = ['ac-1', 'ac-2'].map((sourceId, i) => ({
    ...flooder,
    id: `tick-${i}`,
    sourceId,
    location: scenario.records.find((r) => r.sourceId === sourceId)?.location,
    observedAt: new Date(middleMs + 120_000 + 140_625 + 5_000 + 1_000 - 5).toISOString(),
    payload: { signal: 'impact' },
  }));
  // The cut comes after the flood and after every arrival of its launch: nothing is late.
  const cut =
    sorted.findLastIndex((r) => String(r.id).startsWith('flood-') || String(r.id).startsWith('l1-')) + 1;
  const before = [...sorted.slice(0, cut), ...ticks];
  const rest = sorted.slice(cut);

  const whole = await freshDeps();
  await setUp(whole, scenario);
  await post(whole, [...before, ...rest]);
  await new FusionPipeline(whole, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
  const [summary] = await whole.store.fusion.setAside();
  assert.equal(summary?.sourceId, 'ac-3');
  assert.equal(summary.reason, 'crowded');
  assert.equal(summary.arrivals, 131, 'the flood and its own real arrival among it');
  assert.equal(summary.firstMs, Date.parse(flood[0]?.observedAt ?? ''));
  assert.equal(summary.lastMs, Date.parse(flood.at(-1)?.observedAt ?? ''));
  const events = await whole.store.fusion.listEvents({ limit: 100 });
  assert.equal(events.length, scenario.launches.length, 'every launch still placed, by the others');
  assert.ok(
    events.every((e) => e.event.provenance.every((c) => !c.recordId.startsWith('flood-'))),
    'no set-aside arrival in an event',
  );

  // Live: the first half of the flood set aside, then the rest, with or without a restart between.
  const members = async (deps: AppDeps) =>
    (await deps.store.fusion.listEvents({ limit: 100, statuses: ['active'] }))
      .map((e) =>
        e.event.provenance
          .map((c) => c.recordId)
          .sort()
          .join(','),
      )
      .sort();
  const live = async (restart: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-'));
    dirs.push(dir);
    const path = join(dir, 'live.db');
    let deps = await freshDeps(path);
    await setUp(deps, scenario);
    await post(deps, before);
    const options = { agreementId: 'donbas-2015', provisional: true };
    let pipeline = new FusionPipeline(deps, fusionLogic, options);
    await pipeline.run(false);
    const half = (await deps.store.fusion.setAside())[0]?.arrivals ?? 0;
    assert.ok(half > 64 && half < 131, `part of the flood set aside before the restart (${half})`);
    const stored = await deps.store.observations.listAfter(0, 1_000);
    const firstFlood = stored.find((o) => o.recordId === 'flood-0')?.seq ?? 0;
    assert.ok((await deps.store.fusion.cursor()) < firstFlood, 'the cursor below the flood');
    if (restart) {
      await deps.store.close();
      deps = await freshDeps(path);
      pipeline = new FusionPipeline(deps, fusionLogic, options);
    }
    for (let i = 0; i < rest.length; i += 20) {
      await post(deps, rest.slice(i, i + 20));
      await pipeline.run(false);
    }
    await pipeline.run(true);
    const result = { setAside: await deps.store.fusion.setAside(), members: await members(deps) };
    await deps.store.close();
    return result;
  };
  const uninterrupted = await live(false);
  assert.deepEqual(uninterrupted.setAside, [summary]);
  // The restarted pipeline reads the whole flood again, sets its first half aside again (stored once)
  // and the 60 still waiting with it: on their own they would be too few to be crowded.
  assert.deepEqual(await live(true), uninterrupted);
  await whole.store.close();
});

test('a run queued behind one that fails still runs, and nothing stays queued', async () => {
  const scenario = await fireScenario(2);
  const deps = await freshDeps();
  await setUp(deps, scenario);
  await post(deps, scenario.records);
  // The rules fail on their first call only: the first run fails, the one queued behind it does not.
  let calls = 0;
  const failingOnce = {
    ...fusionLogic,
    check: (...args: Parameters<typeof fusionLogic.check>) => {
      calls += 1;
      if (calls === 1) throw new Error('the rules failed once');
      return fusionLogic.check(...args);
    },
  };
  const pipeline = new FusionPipeline(deps, failingOnce, { agreementId: 'donbas-2015' });
  const first = pipeline.run(true);
  const queued = pipeline.run(true);
  assert.equal(pipeline.pending, true);
  await assert.rejects(first, /the rules failed once/);
  const report = await queued;
  assert.equal(pipeline.pending, false);
  assert.ok(report.events >= scenario.launches.length - 1, `${report.events} events`);
});

test('the same observations in any order end in the same events', async () => {
  const scenario = await fireScenario(5, 4);
  const inputs: FusionInput[] = scenario.records.map((record, i) => ({
    seq: i + 1,
    sourceId: String(record.sourceId),
    recordId: String(record.id),
    observedAtMs: Date.parse(String(record.observedAt)),
    timeUncertaintyMs: 10,
    record: record as unknown as FusionInput['record'],
  }));
  const fuse = (order: readonly FusionInput[], chunks: number) => {
    const engine = fusionLogic.newEngine();
    const size = Math.ceil(order.length / chunks);
    const out = [];
    for (let i = 0; i < order.length; i += size) {
      engine.add(order.slice(i, i + size));
      out.push(...engine.drain(false).events);
    }
    out.push(...engine.drain(true).events);
    return out.map((e) => JSON.stringify(e)).sort();
  };
  const reference = fuse(inputs, 1);
  assert.equal(reference.length, scenario.launches.length);
  fc.assert(
    fc.property(fc.shuffledSubarray(inputs, { minLength: inputs.length }), (order) => {
      assert.deepEqual(fuse(order, 1), reference);
    }),
    { numRuns: 25 },
  );
});

/** One launch heard by the scenario's eight arrays and tracked by a radar (registered), and the track. */
async function trackedLaunch(deps: AppDeps) {
  const scenario = await fireScenario(1, 0);
  const launch = scenario.launches[0];
  assert.ok(launch);
  await setUp(deps, scenario);
  await registerSource(deps, {
    id: 'rd-1',
    kind: 'radar',
    organisation: 'mission',
    position: { lat: launch.lat - 0.2, lon: launch.lon - 0.2 },
  });
  const track = {
    id: 'rd-1-000001',
    sourceId: 'rd-1',
    kind: 'radar',
    observedAt: new Date(launch.timeMs + 100).toISOString(),
    timeUncertaintyMs: 500,
    location: { lat: launch.lat - 0.2, lon: launch.lon - 0.2, ceM: 10 },
    payload: {
      track: 'origin-and-impact',
      origin: {
        lat: launch.lat,
        lon: launch.lon,
        ellipse: { semiMajorM: 60, semiMinorM: 30, orientationDeg: 30 },
      },
      impact: {
        lat: launch.lat + 0.05,
        lon: launch.lon,
        ellipse: { semiMajorM: 80, semiMinorM: 40, orientationDeg: 60 },
      },
    },
  };
  return { scenario, launch, track };
}

test('a potential violation only an earlier revision of its event made is withdrawn when the event is revised', async () => {
  const deps = await freshDeps();
  const { scenario, track } = await trackedLaunch(deps);
  // Rules that tell the two revisions apart: the radar's event alone breaches one clause, the event
  // with the arrays' group another.
  const logic = {
    ...fusionLogic,
    check: (
      event: Parameters<typeof fusionLogic.check>[0],
      attribution: Parameters<typeof fusionLogic.check>[1],
      agreement: Parameters<typeof fusionLogic.check>[2],
    ) =>
      fusionLogic
        .check(event, attribution, agreement)
        .map((v) =>
          event.method === 'radar' ? { ...v, id: `${event.id}#radar-only`, clause: 'radar-only' } : v,
        ),
  };
  const pipeline = new FusionPipeline(deps, logic, { agreementId: 'donbas-2015' });
  assert.equal((await post(deps, [track])).accepted, 1);
  await pipeline.run(false);
  const provisional = await deps.store.fusion.listViolations({ limit: 10 });
  assert.deepEqual(
    provisional.map((v) => v.violation.clause),
    ['radar-only'],
    'the radar track makes its potential violation at once',
  );
  const eventId = provisional[0]?.violation.eventId ?? '';

  assert.equal((await post(deps, scenario.records)).accepted, scenario.records.length);
  await pipeline.run(true);
  const revisions = await deps.store.fusion.eventRevisions(eventId);
  assert.deepEqual(
    revisions.map((r) => r.event.method),
    ['radar', 'acoustic-tdoa+radar'],
  );
  const radarOnly = await deps.store.fusion.violationRevisions(`${eventId}#radar-only`);
  assert.equal(radarOnly.at(-1)?.violation.status, 'withdrawn');
  assert.equal(radarOnly.at(-1)?.violation.revision, 2);
  const standing = (await deps.store.fusion.listViolations({ limit: 10 })).filter(
    (v) => v.violation.status !== 'withdrawn',
  );
  assert.deepEqual(
    standing.map((v) => v.violation.clause),
    ['ceasefire-violation'],
  );
  await deps.store.close();
});

test('a radar track read again after a restart does not take its event back to the track alone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-'));
  dirs.push(dir);
  const path = join(dir, 'restart.db');
  const deps = await freshDeps(path);
  const { scenario, launch, track } = await trackedLaunch(deps);
  // Arrivals at two sensors nine minutes after the launch, committed first: the launch's group is made
  // as soon as it is in (the watermark, which two sources must reach, has passed its arrivals), and
  // the arrivals wait, holding the cursor below the track.
  const later = [scenario.records[0], scenario.records[1]].map((record, i) => ({
    ...record,
    id: `later-${i + 1}`,
    observedAt: new Date(launch.timeMs + 550_000).toISOString(),
  }));
  const sourceOf = (record: unknown) => (record as { sourceId: string }).sourceId;
  assert.notEqual(sourceOf(later[0]), sourceOf(later[1]));
  await post(deps, later);
  await post(deps, [track]);
  await post(deps, scenario.records);
  await new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015' }).run(false);
  const [merged] = (await deps.store.fusion.listEvents({ limit: 10 })).filter(
    (e) => e.event.method === 'acoustic-tdoa+radar',
  );
  assert.ok(merged, 'the track and the group are one event');
  assert.ok((await deps.store.fusion.cursor()) < merged.event.asOfSeq, 'the cursor stays below the group');
  const before = await deps.store.fusion.eventRevisions(merged.event.id);
  await deps.store.close();

  // Read again two observations at a time: the track comes out alone before its group is made again.
  const restarted = await freshDeps(path);
  await new FusionPipeline(restarted, fusionLogic, { agreementId: 'donbas-2015', pageSize: 2 }).run(false);
  const after = await restarted.store.fusion.eventRevisions(merged.event.id);
  assert.deepEqual(
    after.map((r) => [r.event.revision, r.event.method]),
    before.map((r) => [r.event.revision, r.event.method]),
  );
  await restarted.store.close();
});

test('a run refused because another writer revised an event first reads the heads again, and the next run goes on', async () => {
  const deps = await freshDeps();
  const { scenario, track } = await trackedLaunch(deps);
  const pipeline = new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015' });
  await post(deps, [track]);
  await pipeline.run(false);
  const [radar] = await deps.store.fusion.listEvents({ limit: 10 });
  assert.equal(radar?.event.revision, 1);
  // Another writer on the same store (a second server, an ingest) revises the event; the cursor stays
  // below the track, which waits for its launch's arrivals.
  await deps.store.fusion.commit({
    events: [{ ...radar.event, revision: 2, count: 2 }],
    violations: [],
    setAside: [],
    cursorSeq: await deps.store.fusion.cursor(),
    committedAtMs: deps.clock.now(),
  });
  await post(deps, scenario.records);
  // This pipeline numbers its next revision from the head it had seen: the store refuses it.
  await assert.rejects(
    pipeline.run(true),
    (error: unknown) => (error as { code?: string }).code === 'E_CONFLICT',
  );
  // The retry reads the heads from the store and completes; it did not while it kept the stale one.
  await pipeline.run(true);
  const revisions = await deps.store.fusion.eventRevisions(radar.event.id);
  assert.deepEqual(revisions.at(-1)?.event.method, 'acoustic-tdoa+radar');
  assert.deepEqual(
    revisions.map((r) => r.event.revision),
    revisions.map((_, i) => i + 1),
  );
});

/**
 * The shipped logic with a fitter that refuses any group holding one of the records `revealing`
 * (by record id): later arrivals showing that a grouping of the first ones was a coincidence.
 */
function logicRefusing(revealing: readonly Record<string, unknown>[]): typeof fusionLogic {
  const ids = new Set(revealing.map((r) => String(r.id)));
  const fit: AcousticFitter = (candidates) =>
    candidates.some((a) => ids.has(a.input.recordId)) ? null : fitArrivals(candidates);
  return { ...fusionLogic, newEngine: (options) => new FusionEngine({ fitAcoustic: fit, ...options }) };
}

/** What stands in a store, without what differs between stores by construction (sequences, revision numbers). */
async function standing(deps: AppDeps) {
  const events = (await deps.store.fusion.listEvents({ limit: 100_000 }))
    .map((e) => e.event)
    .filter((e) => e.status === 'active')
    .map((e: FusedEvent) =>
      JSON.stringify({
        ...e,
        revision: 0,
        asOfSeq: 0,
        provenance: e.provenance.map((c) => ({ ...c, seq: 0 })),
      }),
    );
  const violations = (await deps.store.fusion.listViolations({ limit: 100_000 }))
    .map((v) => v.violation)
    .filter((v) => v.status !== 'withdrawn')
    .map((v: PotentialViolation) =>
      JSON.stringify({ ...v, revision: 0, eventRevision: 0, supportingSeqs: [] }),
    );
  return { events: events.sort(), violations: violations.sort() };
}

describe('a live pipeline (provisional events)', () => {
  test('ends with what a file gives: a simulated worst hour read seven observations at a time, with restarts', async () => {
    const simulation = simulate({
      agreementText: await readFile(`${SHIPPED_AGREEMENTS_DIR}/donbas-2015.yaml`, 'utf8'),
      format: 'yaml',
      hours: 1,
      // A seed whose hour has groups shown provisionally and then withdrawn (five).
      seed: 6,
      intensity: 'worst-day',
    });
    const records = simulation.observations.map((line) => JSON.parse(line) as Record<string, unknown>);
    const lastMs = Math.max(...records.map((r) => Date.parse(String(r.observedAt))));
    const prepared = async (): Promise<AppDeps> => {
      // The server's clock just after the simulated hour (observations from the future are refused).
      const deps = { ...(await freshDeps()), clock: { now: () => lastMs + 60_000 } };
      await registerAgreement(deps, { text: simulation.agreementJson, format: 'json' });
      for (const source of simulation.sources) await registerSource(deps, source);
      return deps;
    };
    const file = await prepared();
    assert.equal((await post(file, records)).accepted, records.length);
    await new FusionPipeline(file, fusionLogic, { agreementId: 'donbas-2015' }).run(true);

    const live = await prepared();
    const started = (pageSize: number) =>
      new FusionPipeline(live, fusionLogic, { agreementId: 'donbas-2015', provisional: true, pageSize });
    let pipeline = started(5_000);
    for (let i = 0, runs = 1; i < records.length; i += 7, runs += 1) {
      await post(live, records.slice(i, i + 7));
      await pipeline.run(false);
      // A restart now and then, reading back two observations a page.
      if (runs % 40 === 0) pipeline = started(2);
    }
    await pipeline.run(true);
    const withdrawn = (await live.store.fusion.listEvents({ limit: 100_000 })).filter(
      (e) => e.event.status === 'withdrawn',
    );
    assert.ok(withdrawn.length > 0, 'some groups were shown and withdrawn on the way');
    const expected = await standing(file);
    assert.ok(
      expected.events.length > 100 && expected.violations.length > 100,
      `${expected.events.length} events and ${expected.violations.length} potential violations`,
    );
    assert.deepEqual(await standing(live), expected);
    await file.store.close();
    await live.store.close();
  });

  test('a radar track that comes after its wait is over does not stop fusion', async () => {
    const deps = await freshDeps();
    const { scenario, launch, track } = await trackedLaunch(deps);
    // An arrival nine minutes after the track moves observation time on first.
    const later = {
      ...scenario.records[0],
      id: 'later-1',
      observedAt: new Date(launch.timeMs + 550_000).toISOString(),
    };
    const pipeline = new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015', provisional: true });
    await post(deps, [later]);
    await pipeline.run(false);
    await post(deps, [track]);
    await pipeline.run(false);
    await pipeline.run(true);
    const events = await deps.store.fusion.listEvents({ limit: 10 });
    assert.deepEqual(
      events.map((e) => [e.event.method, e.event.revision]),
      [['radar', 1]],
    );
    const observations = await deps.store.observations.listAfter(0, 10);
    assert.equal(
      await deps.store.fusion.cursor(),
      observations.at(-1)?.seq,
      'every observation accounted for',
    );
    await deps.store.close();
  });

  test('after a restart, a group shown alone and then merged with its radar track stands once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-'));
    dirs.push(dir);
    const path = join(dir, 'merged.db');
    let deps = await freshDeps(path);
    const { scenario, track } = await trackedLaunch(deps);
    await post(deps, scenario.records.slice(0, 6));
    await new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015', provisional: true }).run(false);
    const [shown] = await deps.store.fusion.listEvents({ limit: 10 });
    assert.equal(shown?.event.method, 'acoustic-tdoa');
    await deps.store.close();

    deps = await freshDeps(path);
    await post(deps, [track, ...scenario.records.slice(6)]);
    await new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015', provisional: true }).run(true);
    const events = (await deps.store.fusion.listEvents({ limit: 10 })).map((e) => e.event);
    assert.deepEqual(
      events.filter((e) => e.status === 'active').map((e) => e.method),
      ['acoustic-tdoa+radar'],
    );
    assert.equal(events.find((e) => e.id === shown?.event.id)?.status, 'withdrawn');
    const violations = (await deps.store.fusion.listViolations({ limit: 10 })).filter(
      (v) => v.violation.status !== 'withdrawn',
    );
    assert.equal(violations.length, 1, 'one launch, one potential violation');
    await deps.store.close();
  });

  test('shows an acoustic event before its group is final, revises it as arrivals come, and keeps the final state', async () => {
    const deps = await freshDeps();
    const scenario = await fireScenario(1, 0);
    await setUp(deps, scenario);
    const pipeline = new FusionPipeline(deps, fusionLogic, { agreementId: 'donbas-2015', provisional: true });
    await post(deps, scenario.records.slice(0, 6));
    await pipeline.run(false);
    const [shown] = await deps.store.fusion.listEvents({ limit: 10 });
    assert.ok(shown, 'the first six arrivals make an event at once');
    assert.equal(shown.event.provenance.length, 6);

    await post(deps, scenario.records.slice(6));
    await pipeline.run(false);
    await pipeline.run(true);
    const revisions = await deps.store.fusion.eventRevisions(shown.event.id);
    assert.deepEqual(
      revisions.map((r) => [r.event.revision, r.event.provenance.length, r.event.status]),
      [
        [1, 6, 'active'],
        [2, 8, 'active'],
      ],
      'revised once with all eight arrivals; the final grouping is the one shown',
    );
    // The same as a file would give: the final state does not depend on when fusion ran.
    const file = await freshDeps();
    await setUp(file, scenario);
    await post(file, scenario.records);
    await new FusionPipeline(file, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    const [whole] = await file.store.fusion.listEvents({ limit: 10 });
    // Commit sequences differ between the two stores; everything else is the same.
    const comparable = (event: FusedEvent | undefined) => ({
      ...event,
      revision: 0,
      asOfSeq: 0,
      provenance: event?.provenance.map((c) => ({ ...c, seq: 0 })),
    });
    assert.deepEqual(comparable(whole?.event), comparable(revisions.at(-1)?.event));
    await deps.store.close();
    await file.store.close();
  });

  test('withdraws an event shown provisionally, and its potential violations, when its group no longer stands — also after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-'));
    dirs.push(dir);
    for (const restart of [false, true]) {
      const path = join(dir, `withdraw-${String(restart)}.db`);
      const deps = await freshDeps(path);
      const scenario = await fireScenario(1, 0);
      await setUp(deps, scenario);
      const logic = logicRefusing(scenario.records.slice(6));
      await post(deps, scenario.records.slice(0, 6));
      await new FusionPipeline(deps, logic, { agreementId: 'donbas-2015', provisional: true }).run(false);
      const [shown] = await deps.store.fusion.listEvents({ limit: 10 });
      assert.ok(shown);
      const violations = (await deps.store.fusion.listViolations({ limit: 10 })).filter(
        (v) => v.violation.eventId === shown.event.id,
      );
      assert.ok(violations.length > 0, 'the shown event makes its potential violations at once');

      let live = deps;
      if (restart) {
        await deps.store.close();
        live = await freshDeps(path);
      }
      await post(live, scenario.records.slice(6));
      await new FusionPipeline(live, logic, { agreementId: 'donbas-2015', provisional: true }).run(true);
      const last = (await live.store.fusion.eventRevisions(shown.event.id)).at(-1);
      assert.equal(last?.event.status, 'withdrawn', `withdrawn (restart: ${String(restart)})`);
      for (const v of violations) {
        const head = (await live.store.fusion.violationRevisions(v.violation.id)).at(-1);
        assert.equal(head?.violation.status, 'withdrawn');
      }
      await live.store.close();
    }
  });
});

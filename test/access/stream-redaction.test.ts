// The live stream over a real listening server, read as browsers and gateways read it (fetch and a
// stream reader: Node 20 has no EventSource), with a party's, an analyst's and the public's
// connections open while observations, events and potential violations are committed. Each reader
// gets what its REST view gives it, and nothing its REST view hides.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { fireScenario, type Scenario } from '../helpers/fusion-scenario.ts';
import { SHOWN_SIGMA_STEP_M } from '../../src/api/presenters/fusion-presenter.ts';

interface Message {
  readonly id: string;
  readonly event: string;
  readonly data: string;
}

/** A live stream connection, read in the background into `messages`. */
class Connection {
  readonly messages: Message[] = [];
  readonly #abort = new AbortController();
  #reading: Promise<void> = Promise.resolve();
  status = 0;

  static async open(base: string, token: string | undefined): Promise<Connection> {
    const connection = new Connection();
    const response = await fetch(`${base}/api/v1/stream`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
      signal: connection.#abort.signal,
    });
    connection.status = response.status;
    assert.equal(response.status, 200);
    assert.ok(response.body !== null);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    connection.#reading = (async () => {
      let buffer = '';
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          buffer += value;
          let end;
          while ((end = buffer.indexOf('\n\n')) !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (block.startsWith(': connected')) connected();
            if (block.startsWith(':')) continue;
            const fields = new Map<string, string>();
            for (const line of block.split('\n')) {
              const at = line.indexOf(': ');
              fields.set(line.slice(0, at), line.slice(at + 2));
            }
            connection.messages.push({
              id: fields.get('id') ?? '',
              event: fields.get('event') ?? '',
              data: fields.get('data') ?? '',
            });
          }
        }
      } catch (error) {
        if (!connection.#abort.signal.aborted) throw error;
      }
    })();
    await ready;
    return connection;
  }

  of(event: string): unknown[] {
    return this.messages.filter((m) => m.event === event).map((m) => JSON.parse(m.data) as unknown);
  }

  /** Waits until `done` holds of the messages (failing after `timeoutMs`). */
  async until(what: string, done: (c: Connection) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this)) {
      if (Date.now() > deadline)
        assert.fail(
          `${what}: not within ${timeoutMs} ms; got ${this.messages.map((m) => m.event).join(', ')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.#abort.abort();
    await this.#reading;
  }
}

interface EventWire {
  seq: number;
  id: string;
  location: { lat: number; lon: number; covariance: unknown } | null;
  origin: { lat: number; lon: number; covariance: unknown } | null;
  impact: { lat: number; lon: number; covariance: unknown } | null;
  provenance: Record<string, unknown>[];
}
interface ViolationWire {
  seq: number;
  id: string;
  supportingSeqs?: number[];
  supportingCount?: number;
}

/** Whether a coordinate is on the public's coarse grid (a multiple of 0.1°). */
const coarse = (degrees: number): boolean => Math.abs(degrees * 10 - Math.round(degrees * 10)) < 1e-6;

describe('live stream redaction (a real server, three readers at once)', () => {
  let h: Harness;
  let base: string;
  let scenario: Scenario;
  let partyToken: string;
  let party: Connection;
  let analyst: Connection;
  let publicReader: Connection;
  let ingestOnly: Connection;
  let posted = 0;

  before(async () => {
    h = await startHarness({ stream: { heartbeatMs: 500, pollMs: 100, batch: 20 } });
    scenario = await fireScenario(2, 0);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    for (const source of scenario.sources) await h.addSource(source);
    await h.addSource({ id: 'patrol-1', kind: 'patrol', organisation: 'mission' });
    await h.addSource({ id: 'ua-post-1', kind: 'complaint', organisation: 'ua' });
    partyToken = await h.tokenFor({ orgId: 'ua', kind: 'party', role: 'party-liaison' });
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });

    party = await Connection.open(base, partyToken);
    analyst = await Connection.open(base, h.analystToken);
    publicReader = await Connection.open(base, undefined);
    // A mission token that may ingest but not read (a gateway's) reads what the public reads.
    ingestOnly = await Connection.open(
      base,
      await h.tokenFor({ orgId: 'mission', kind: 'mission', role: 'analyst', scopes: 'ingest' }),
    );

    const send = async (records: readonly Record<string, unknown>[]) => {
      const response = await h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(records),
      });
      assert.equal(response.statusCode, 200, response.body);
      assert.equal(response.json<{ accepted: number }>().accepted, records.length, response.body);
      posted += records.length;
    };
    for (const source of scenario.sources)
      await send(scenario.records.filter((r) => r.sourceId === source.id));
    await send([
      {
        id: 'patrol-report-1',
        sourceId: 'patrol-1',
        kind: 'patrol',
        observedAt: '2019-06-01T10:04:00Z',
        timeUncertaintyMs: 60_000,
        payload: {
          observer: { lat: 48.3, lon: 37.6, ceM: 10 },
          patrolId: 'patrol-7',
          report: 'fire',
          mode: 'heard',
          eventType: 'explosion',
          direction: 'incoming',
          count: 1,
        },
      },
    ]);
    await send([
      {
        id: 'ua-complaint-1',
        sourceId: 'ua-post-1',
        kind: 'complaint',
        observedAt: '2019-06-01T10:30:00Z',
        timeUncertaintyMs: 600_000,
        location: { lat: 48.4, lon: 37.7, ceM: 500 },
        payload: { complainant: 'ua', accused: 'ru-af', allegation: 'ceasefire-violation' },
      },
    ]);
    await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    const events = await h.deps.store.fusion.listEvents({ limit: 1000 });
    const violations = await h.deps.store.fusion.listViolations({ limit: 1000 });
    assert.ok(events.length > 0 && violations.length > 0, 'fusion found events and violations');

    // Everything committed has reached the analyst once its last sequence has.
    const latest = await h.deps.store.observations.latestSeq();
    await analyst.until('the analyst has everything', (c) => c.messages.at(-1)?.id === String(latest));
    await party.until('the party has the violations', (c) => c.of('violation').length > 0);
    await publicReader.until('the public has the events', (c) => c.of('event').length > 0);
    await ingestOnly.until('the ingest-only token has the events', (c) => c.of('event').length > 0);
    // Give the party's and the public's streams time to send anything they should not.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  after(async () => {
    await Promise.all([party.close(), analyst.close(), publicReader.close(), ingestOnly.close()]);
    await h.close();
  });

  test('the analyst receives every observation, event and violation with full provenance', () => {
    assert.equal(analyst.of('observation').length, posted);
    const events = analyst.of('event') as EventWire[];
    assert.ok(events.length > 0);
    assert.ok(events.some((e) => e.provenance.some((c) => typeof c.sourceId === 'string')));
    assert.ok(events.every((e) => e.provenance.every((c) => 'seq' in c && !('count' in c))));
    const violations = analyst.of('violation') as ViolationWire[];
    assert.ok(violations.length > 0);
    assert.ok(violations.every((v) => Array.isArray(v.supportingSeqs) && v.supportingCount === undefined));
    const patrol = analyst
      .of('observation')
      .map((o) => (o as { record: { kind: string; payload: Record<string, unknown> } }).record)
      .find((r) => r.kind === 'patrol');
    assert.ok(patrol?.payload.observer !== undefined, 'the analyst sees where the patrol stood');
  });

  test('the party receives no observation but its own, and nothing its REST view hides', async () => {
    const observations = party.of('observation') as { record: { sourceId: string } }[];
    assert.deepEqual(
      observations.map((o) => o.record.sourceId),
      ['ua-post-1'],
      'the party gets its own submission back, and no other observation',
    );
    const events = party.of('event') as EventWire[];
    const violations = party.of('violation') as ViolationWire[];
    assert.equal(events.length, analyst.of('event').length, 'events are released to the parties');
    assert.equal(violations.length, analyst.of('violation').length, 'violations are released to the parties');
    for (const e of events)
      for (const c of e.provenance)
        assert.deepEqual(
          Object.keys(c).sort(),
          ['count', 'kind'],
          `event ${e.id}: provenance only as counts`,
        );
    // Each uncertainty as a circle rounded up to 250 m, holding the ellipse: a radar's ellipse lies
    // along its line of sight, and its size grows with the range — together they place the radar.
    const exact = new Map((analyst.of('event') as EventWire[]).map((e) => [`${e.id}@${e.seq}`, e]));
    for (const e of events)
      for (const key of ['location', 'origin', 'impact'] as const) {
        const shown = e[key]?.covariance as [number, number, number] | undefined;
        const full = exact.get(`${e.id}@${e.seq}`)?.[key]?.covariance as [number, number, number] | undefined;
        if (shown === undefined || full === undefined) continue;
        const [ee, en, nn] = shown;
        assert.ok(en === 0 && ee === nn, `event ${e.id} ${key}: an ellipse for the party`);
        assert.equal(Math.sqrt(ee) % SHOWN_SIGMA_STEP_M, 0);
        const [fe, fen, fn] = full;
        assert.ok(
          (fe + fn) / 2 + Math.sqrt(((fe - fn) / 2) ** 2 + fen * fen) <= ee,
          'the circle holds the ellipse',
        );
      }
    for (const v of violations) {
      assert.equal(v.supportingSeqs, undefined, `violation ${v.id} carries supportingSeqs`);
      assert.equal(typeof v.supportingCount, 'number');
    }
    // Nothing names a sensor or tells where one stands, anywhere in what the party received.
    const text = party.messages
      .filter((m) => m.event !== 'observation')
      .map((m) => m.data)
      .join('\n');
    assert.doesNotMatch(text, /"sourceId"|"supportingSeqs"|"recordId"|"observer"/);
    for (const source of scenario.sources) {
      assert.ok(!text.includes(`"${source.id}"`), `the party's stream names sensor ${source.id}`);
      assert.ok(
        !text.includes(String(source.position.lat)),
        `the party's stream has ${source.id}'s position`,
      );
    }
    assert.ok(!text.includes('patrol-1') && !text.includes('patrol-7'));

    // Each message is exactly the party's REST view of the same revision.
    const get = async (url: string) => {
      const response = await fetch(`${base}${url}`, { headers: { authorization: `Bearer ${partyToken}` } });
      assert.equal(response.status, 200, url);
      return ((await response.json()) as { revisions: { seq: number }[] }).revisions;
    };
    for (const e of events) {
      const revisions = await get(`/api/v1/events/${encodeURIComponent(e.id)}`);
      assert.deepEqual(
        e,
        revisions.find((r) => r.seq === e.seq),
      );
    }
    for (const v of violations) {
      const revisions = await get(`/api/v1/violations/${encodeURIComponent(v.id)}`);
      assert.deepEqual(
        v,
        revisions.find((r) => r.seq === v.seq),
      );
    }
  });

  test('the public receives only events, with coarsened locations and provenance as counts', () => {
    assert.deepEqual([...new Set(publicReader.messages.map((m) => m.event))], ['event']);
    const events = publicReader.of('event') as EventWire[];
    assert.equal(events.length, analyst.of('event').length);
    for (const e of events) {
      for (const point of [e.location, e.origin, e.impact]) {
        if (point === null) continue;
        assert.equal(point.covariance, null, `event ${e.id}: an uncertainty ellipse for the public`);
        assert.ok(
          coarse(point.lat) && coarse(point.lon),
          `event ${e.id}: ${point.lat},${point.lon} not coarsened`,
        );
      }
      for (const c of e.provenance) assert.deepEqual(Object.keys(c).sort(), ['count', 'kind']);
    }
    assert.ok(
      events.some((e) => e.location !== null),
      'at least one event with a location went to the public',
    );
  });

  test('a token without the read scope receives what the public receives, no more', () => {
    assert.deepEqual(
      ingestOnly.messages.map((m) => [m.event, m.data]),
      publicReader.messages.map((m) => [m.event, m.data]),
    );
  });
});

// Crash test: nothing acknowledged is ever lost. Four clients post batches to the real server process
// on a SQLite file; the process is killed with SIGKILL at a random moment while at least one request
// has been sent and not yet answered; it restarts on the same file, 20 times. After each restart:
// every record of every batch that got a 2xx is stored exactly once, no batch is partly stored, and
// resending reports duplicates (or, for a batch that never got an answer and is absent, accepts it).
// Each batch is signed by its client's source with the batch id as the signature's nonce, so a resend
// is the same batch id with the same body; the records are read back with a mission analyst's token.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { signBatch } from '../../src/client/sign-batch.ts';
import type { SourceKind } from '../../src/core/sources/source.ts';
import { jsonRoundTrip, withoutTransport, type JsonObject } from '../helpers/observation-arbitraries.ts';
import {
  bearer,
  prepareServerDb,
  startServerProcess,
  type PreparedDb,
  type ServerProcess,
} from '../helpers/server-process.ts';

const ROUNDS = Number(process.env.TRUCELINE_CRASH_ROUNDS ?? 20);
const CLIENT_KINDS: readonly SourceKind[] = ['acoustic', 'seismic', 'radar', 'patrol'];
const MIN_BATCH = 50;
const MAX_BATCH = 500;
/** The kill comes this long (at random) after the clients start, once a request is in flight. */
const KILL_AFTER_MS = { min: 20, max: 500 };

interface Report {
  readonly accepted: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly rejected: number;
  readonly rejections: readonly unknown[];
}

interface Batch {
  readonly batchId: string;
  readonly sourceId: string;
  readonly records: readonly JsonObject[];
  /** The request body: a JSON array, or NDJSON (clients 2 and 3). */
  readonly body: string;
  readonly type: 'application/json' | 'application/x-ndjson';
  /** `acked`: a whole 2xx report came back; `unanswered`: no (whole) answer; `refused`: a non-2xx answer. */
  outcome: 'pending' | 'acked' | 'unanswered' | 'refused';
  /** The request had been fully sent and not answered when the server was killed. */
  inFlightAtKill: boolean;
}

interface Exchange {
  readonly batch: Batch;
  sent: boolean;
  answered: boolean;
}

type PostResult =
  | { readonly answered: true; readonly status: number; readonly body: string }
  | { readonly answered: false; readonly error: string };

/** The sources' signing keys and the read token, put in the database before the first start. */
let access: PreparedDb | undefined;

/** The signature headers of a batch: signed by its source, with its batch id as the nonce. */
function signatureHeaders(batch: Batch): Record<string, string> {
  const key = access?.keys.get(batch.sourceId);
  assert.ok(key !== undefined, `no signing key for ${batch.sourceId}`);
  return signBatch({
    path: '/api/v1/observations',
    contentType: batch.type,
    body: Buffer.from(batch.body, 'utf8'),
    keyId: key.keyId,
    privateKey: key.privateKeyPem,
    batchId: batch.batchId,
  });
}

/** Posts `body` with node:http, marking the exchange sent when the body is flushed and answered on the first byte of the response. */
function postBatch(port: number, exchange: Exchange): Promise<PostResult> {
  const signature = signatureHeaders(exchange.batch);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: PostResult): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/observations',
      agent: false,
      headers: {
        ...signature,
        'content-length': Buffer.byteLength(exchange.batch.body),
      },
    });
    req.on('finish', () => {
      exchange.sent = true;
    });
    req.on('response', (res: IncomingMessage) => {
      exchange.answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.complete)
          settle({
            answered: true,
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        else settle({ answered: false, error: 'response cut short' });
      });
      res.on('error', (error) => settle({ answered: false, error: error.message }));
      res.on('close', () => settle({ answered: false, error: 'response cut short' }));
    });
    req.on('error', (error) => settle({ answered: false, error: error.message }));
    req.end(exchange.batch.body);
  });
}

/** A small deterministic random generator (mulberry32), so a failing round can be replayed from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One valid record of `kind`, about 300–550 bytes of JSON. */
function makeRecord(
  kind: SourceKind,
  sourceId: string,
  id: string,
  batchId: string,
  rnd: () => number,
): JsonObject {
  const lat = 47 + rnd() * 3;
  const lon = 35 + rnd() * 5;
  const base = {
    id,
    sourceId,
    batchId,
    observedAt: new Date(Date.now() - Math.floor(rnd() * 48 * 3600 * 1000)).toISOString(),
    timeUncertaintyMs: Math.floor(rnd() * 5000),
    grading: { reliability: 'B', credibility: 2 },
    text: 'Зафіксовано вибух; взрыв зафиксирован; explosion heard'.slice(0, 10 + Math.floor(rnd() * 44)),
  };
  const point = { lat, lon, ceM: 1 + rnd() * 500 };
  switch (kind) {
    case 'acoustic':
      return {
        ...base,
        kind,
        location: point,
        payload: { signal: 'impact', bearingDeg: rnd() * 359, snrDb: rnd() * 40 },
      };
    case 'seismic':
      return {
        ...base,
        kind,
        location: point,
        payload: { magnitude: rnd() * 4, peakVelocityMmS: rnd() * 10 },
      };
    case 'radar': {
      const ellipse = {
        semiMajorM: 50 + rnd() * 200,
        semiMinorM: 10 + rnd() * 40,
        orientationDeg: rnd() * 179,
      };
      return {
        ...base,
        kind,
        location: point,
        payload: {
          track: 'origin-and-impact',
          origin: { lat: lat + 0.1, lon: lon + 0.2, ellipse },
          impact: { lat, lon, ellipse },
        },
      };
    }
    default:
      return {
        ...base,
        kind: 'patrol',
        payload: {
          report: 'fire',
          observer: point,
          mode: 'heard',
          eventType: 'explosion',
          direction: 'undetermined',
          count: 1 + Math.floor(rnd() * 20),
          distanceBand: { minKm: 1, maxKm: 3 },
        },
      };
  }
}

function makeBatch(round: number, client: number, n: number, rnd: () => number): Batch {
  const kind = CLIENT_KINDS[client]!;
  const sourceId = `crash-${kind}`;
  const batchId = `r${round}-c${client}-b${n}`;
  const size = MIN_BATCH + Math.floor(rnd() * (MAX_BATCH - MIN_BATCH + 1));
  const records = Array.from({ length: size }, (_, i) =>
    makeRecord(kind, sourceId, `${batchId}:${i}`, batchId, rnd),
  );
  const ndjson = client >= 2;
  return {
    batchId,
    sourceId,
    records,
    body: ndjson ? records.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(records),
    type: ndjson ? 'application/x-ndjson' : 'application/json',
    outcome: 'pending',
    inFlightAtKill: false,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function getJson(url: string): Promise<unknown> {
  assert.ok(access !== undefined);
  const res = await fetch(url, { headers: bearer(access.readToken) });
  assert.equal(res.status, 200, `GET ${url}: ${res.status}`);
  return res.json();
}

interface StoredItem {
  readonly seq: number;
  readonly record: JsonObject & { readonly id: string };
}

/** Every stored record of one source, page by page. */
async function readSource(server: ServerProcess, sourceId: string): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let after: string | null = null;
  for (;;) {
    const query = new URLSearchParams({ source: sourceId, limit: '5000' });
    if (after !== null) query.set('after', after);
    const page = (await getJson(`${server.url}/api/v1/observations?${query.toString()}`)) as {
      items: StoredItem[];
      next: string | null;
    };
    items.push(...page.items);
    if (page.next === null) return items;
    after = page.next;
  }
}

/** Every stored record of the clients' sources (one reader per source, side by side). */
async function readAll(server: ServerProcess): Promise<StoredItem[]> {
  const perSource = await Promise.all(CLIENT_KINDS.map((kind) => readSource(server, `crash-${kind}`)));
  return perSource.flat();
}

/** Posts a batch again on a quiet server and returns the report. */
async function resend(server: ServerProcess, batch: Batch): Promise<Report> {
  const result = await postBatch(server.port, { batch, sent: false, answered: false });
  assert.ok(result.answered, `resending ${batch.batchId}: ${result.answered ? '' : result.error}`);
  assert.equal(result.status, 200, `resending ${batch.batchId}: ${result.body.slice(0, 300)}`);
  return JSON.parse(result.body) as Report;
}

const dir = mkdtempSync(join(tmpdir(), 'truceline-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`SIGKILL while requests are in flight, ${ROUNDS} rounds: every acknowledged record is stored exactly once, no batch partly`, async (t) => {
  const db = join(dir, 'crash.db');
  const seed = Number(process.env.TRUCELINE_CRASH_SEED ?? Date.now() % 2 ** 31);
  t.diagnostic(`seed ${seed} (set TRUCELINE_CRASH_SEED to replay the same batch sizes and kill delays)`);
  const rnd = random(seed);
  const batches = new Map<string, Batch>();
  /** The batches of the round just crashed: checked in detail and resent after the restart. */
  let lastRound: Batch[] = [];
  // The clients' sources, each with a signing key, and a read token, before the server starts.
  access = await prepareServerDb(
    db,
    CLIENT_KINDS.map((kind) => ({ id: `crash-${kind}`, kind, organisation: 'mission' })),
  );
  assert.equal(access.keys.size, CLIENT_KINDS.length);
  let server = await startServerProcess({ db });
  try {
    for (let round = 1; round <= ROUNDS + 1; round += 1) {
      const t0 = performance.now();
      if (round > 1) server = await startServerProcess({ db });
      const t1 = performance.now();

      // 1. After the restart: every acknowledged record exactly once, no batch partly stored.
      const stored = await readAll(server);
      const copies = new Map<string, number>();
      for (const item of stored) copies.set(item.record.id, (copies.get(item.record.id) ?? 0) + 1);
      const twice = [...copies].filter(([, n]) => n > 1).map(([id]) => id);
      assert.deepEqual(twice.slice(0, 10), [], `${twice.length} records are stored more than once`);
      assert.equal(new Set(stored.map((i) => i.seq)).size, stored.length, 'commit sequences repeat');
      const unknown = stored.filter((i) => !batches.has(i.record.id.split(':')[0] ?? ''));
      assert.equal(unknown.length, 0, `records nobody sent: ${unknown.map((i) => i.record.id).join(', ')}`);

      const present = (batch: Batch): number =>
        batch.records.filter((r) => copies.has(r.id as string)).length;
      let acked = 0;
      let ackedRecords = 0;
      for (const batch of batches.values()) {
        const n = present(batch);
        if (batch.outcome === 'acked') {
          acked += 1;
          ackedRecords += batch.records.length;
          assert.equal(
            n,
            batch.records.length,
            `acknowledged batch ${batch.batchId}: ${n} of ${batch.records.length} records stored`,
          );
        } else {
          assert.ok(
            n === 0 || n === batch.records.length,
            `batch ${batch.batchId} (${batch.outcome}) partly stored: ${n} of ${batch.records.length}`,
          );
        }
      }
      // The records of the round just crashed are stored as they were sent.
      const byId = new Map(stored.map((i) => [i.record.id, i.record]));
      for (const batch of lastRound)
        for (const record of batch.records) {
          const got = byId.get(record.id as string);
          if (got !== undefined) assert.deepStrictEqual(got, jsonRoundTrip(withoutTransport(record)));
        }

      // What the round just crashed left, before its batches are resent.
      const inFlight = lastRound.filter((b) => b.inFlightAtKill);
      const roundFigures = {
        batches: lastRound.length,
        records: lastRound.reduce((sum, b) => sum + b.records.length, 0),
        acked: lastRound.filter((b) => b.outcome === 'acked').length,
        refused: lastRound.filter((b) => b.outcome === 'refused').length,
        inFlight: inFlight.length,
        inFlightAnswered: inFlight.filter((b) => b.outcome === 'acked').length,
        unansweredStored: lastRound.filter((b) => b.outcome !== 'acked' && present(b) === b.records.length)
          .length,
        unansweredAbsent: lastRound.filter((b) => b.outcome !== 'acked' && present(b) === 0).length,
      };

      const t2 = performance.now();
      // 2. Resending the last round's batches: duplicates where stored, accepted where not.
      let resentDuplicates = 0;
      let resentAccepted = 0;
      const queue = [...lastRound];
      const resender = async (): Promise<void> => {
        for (let batch = queue.shift(); batch !== undefined; batch = queue.shift()) {
          const wasStored = present(batch) === batch.records.length;
          const report = await resend(server, batch);
          const n = batch.records.length;
          assert.deepEqual(
            [report.accepted, report.duplicates, report.conflicts, report.rejected],
            wasStored ? [0, n, 0, 0] : [n, 0, 0, 0],
            `resending ${batch.batchId} (${batch.outcome}, ${wasStored ? 'stored' : 'absent'})`,
          );
          resentDuplicates += report.duplicates;
          resentAccepted += report.accepted;
          batch.outcome = 'acked';
        }
      };
      await Promise.all(CLIENT_KINDS.map(resender));
      if (round > 1) {
        const f = roundFigures;
        t.diagnostic(
          `round ${round - 1}: ${f.batches} batches of ${f.records} records, ${f.acked} acknowledged, ${f.refused} refused; ` +
            `${f.inFlight} in flight at the kill (${f.inFlightAnswered} answered anyway); ` +
            `unanswered: ${f.unansweredStored} stored whole, ${f.unansweredAbsent} absent; ` +
            `after the restart: ${stored.length} records, ${acked} acknowledged batches (${ackedRecords} records) all present once; ` +
            `resent: ${resentDuplicates} duplicates, ${resentAccepted} accepted; ` +
            `restart ${Math.round(t1 - t0)} ms, check ${Math.round(t2 - t1)} ms, resend ${Math.round(performance.now() - t2)} ms`,
        );
      }
      if (round > ROUNDS) break;

      // 3. Four clients post batches until the server is killed.
      lastRound = [];
      const exchanges = new Set<Exchange>();
      let killed = false;
      const counters = CLIENT_KINDS.map(() => 0);
      const clientSeeds = CLIENT_KINDS.map(() => Math.floor(rnd() * 2 ** 31));
      const live = server;
      const clients = CLIENT_KINDS.map(async (_, client) => {
        const clientRnd = random(clientSeeds[client]!);
        while (!killed) {
          counters[client] = (counters[client] ?? 0) + 1;
          const batch = makeBatch(round, client, counters[client], clientRnd);
          batches.set(batch.batchId, batch);
          lastRound.push(batch);
          const exchange: Exchange = { batch, sent: false, answered: false };
          exchanges.add(exchange);
          const result = await postBatch(live.port, exchange);
          exchanges.delete(exchange);
          if (!result.answered) batch.outcome = 'unanswered';
          else if (result.status < 200 || result.status > 299) batch.outcome = 'refused';
          else {
            const report = JSON.parse(result.body) as Report;
            assert.deepEqual(
              [report.accepted, report.duplicates, report.conflicts, report.rejected],
              [batch.records.length, 0, 0, 0],
              `first send of ${batch.batchId}: ${result.body.slice(0, 300)}`,
            );
            batch.outcome = 'acked';
          }
        }
      });

      const delay = KILL_AFTER_MS.min + Math.floor(rnd() * (KILL_AFTER_MS.max - KILL_AFTER_MS.min));
      await sleep(delay);
      // Kill in the same tick as the check: those requests were sent and had no answer yet.
      const giveUp = Date.now() + 20_000;
      let inFlightNow: Exchange[] = [];
      for (;;) {
        inFlightNow = [...exchanges].filter((e) => e.sent && !e.answered);
        if (inFlightNow.length > 0 || Date.now() > giveUp) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      killed = true;
      process.kill(live.pid, 'SIGKILL');
      for (const e of inFlightNow) e.batch.inFlightAtKill = true;
      const exit = await live.exited;
      assert.equal(
        exit.signal,
        'SIGKILL',
        `the server ended by itself (${String(exit.code)}): ${live.stderr()}`,
      );
      await Promise.all(clients);
      assert.ok(
        inFlightNow.length > 0,
        `round ${round}: no request was in flight within 20 s; the kill proves nothing`,
      );
    }
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
});

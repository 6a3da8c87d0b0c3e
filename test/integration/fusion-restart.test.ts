// The server killed mid-stream and restarted ends with the same events and potential violations as an
// uninterrupted run: fusion keeps nothing that must survive in memory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { postSignedBatch } from '../../src/client/sign-batch.ts';
import { fireScenario, sourceRuns, type Scenario } from '../helpers/fusion-scenario.ts';
import {
  bearer,
  prepareServerDb,
  startServerProcess,
  type PreparedDb,
  type ServerProcess,
} from '../helpers/server-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-fusion-restart-'));
const servers: ServerProcess[] = [];
after(() => {
  for (const s of servers) s.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const start = async (db: string): Promise<ServerProcess> => {
  const server = await startServerProcess({ db, args: ['--agreement', 'donbas-2015'] });
  servers.push(server);
  return server;
};

/** Posts records as one signed batch per run of one source's records, in order; each must be a 200. */
const post = async (url: string, prepared: PreparedDb, records: Record<string, unknown>[]): Promise<void> => {
  for (const run of sourceRuns(records)) {
    const key = prepared.keys.get(run.sourceId);
    assert.ok(key !== undefined, `no key for ${run.sourceId}`);
    const response = await postSignedBatch({
      baseUrl: url,
      key: key.privateKeyPem,
      keyId: key.keyId,
      contentType: 'application/json',
      body: JSON.stringify(run.records),
    });
    assert.equal(response.status, 200, `${run.sourceId}: ${JSON.stringify(response.body)}`);
  }
};

/** The scenario's sources registered with signing keys, and a read token, in a new database file. */
const prepare = (db: string, scenario: Scenario): Promise<PreparedDb> =>
  prepareServerDb(db, scenario.sources);

interface Heads {
  events: unknown[];
  violations: unknown[];
}

/**
 * The latest revisions of what stands, without commit sequences (those differ between runs by
 * construction) and without revision numbers. A live server shows acoustic events provisionally, so
 * which early groupings were shown and withdrawn — and so how many revisions came before the last —
 * depends on when fusion ran; what stands at the end does not.
 */
async function heads(url: string, token: string): Promise<Heads> {
  const events = (await (
    await fetch(`${url}/api/v1/events?limit=1000`, { headers: bearer(token) })
  ).json()) as {
    items: {
      id: string;
      seq: number;
      revision: number;
      committedAt: string;
      asOfSeq: number;
      status: string;
      provenance: { seq: number }[];
    }[];
  };
  const violations = (await (
    await fetch(`${url}/api/v1/violations?limit=1000`, { headers: bearer(token) })
  ).json()) as {
    items: {
      id: string;
      seq: number;
      revision: number;
      eventRevision: number;
      committedAt: string;
      supportingSeqs: number[];
      status?: string;
    }[];
  };
  const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    events: events.items
      .filter((e) => e.status !== 'withdrawn')
      .map(({ seq: _s, committedAt: _c, asOfSeq: _a, revision: _r, provenance, ...e }) => ({
        ...e,
        provenance: provenance.map(({ seq: _p, ...c }) => c),
      }))
      .sort(byId),
    violations: violations.items
      .filter((v) => v.status !== 'withdrawn')
      .map(({ seq: _s, committedAt: _c, supportingSeqs: _p, revision: _r, eventRevision: _e, ...v }) => v)
      .sort(byId),
  };
}

/** Waits until fusion has caught up: the heads stop changing. */
async function settled(url: string, token: string): Promise<Heads> {
  let previous = JSON.stringify(await heads(url, token));
  for (let stable = 0; stable < 3;) {
    await sleep(1_000);
    const now = JSON.stringify(await heads(url, token));
    stable = now === previous ? stable + 1 : 0;
    previous = now;
  }
  return JSON.parse(previous) as Heads;
}

/**
 * Every event's and potential violation's history, as `/api/v1/events/:id` and `/api/v1/violations/:id`
 * give it: revisions numbered 1, 2, … oldest first, and no event revision the same as the one before it
 * (a restarted fusion must not publish again a state that stands; a violation's revisions each cite a
 * new event revision, so they differ by construction). Returns how many items were listed and how
 * many of them have more than one revision.
 */
/** A revision's content: without its number, sequence and commit time. */
const content = ({ seq: _s, committedAt: _c, revision: _r, ...rest }: Record<string, unknown>) => rest;

async function checkHistories(url: string, token: string): Promise<{ items: number; revised: number }> {
  let items = 0;
  let revised = 0;
  for (const kind of ['events', 'violations'] as const) {
    const list = (await (
      await fetch(`${url}/api/v1/${kind}?limit=1000`, { headers: bearer(token) })
    ).json()) as { items: { id: string }[]; next?: string | null };
    assert.equal(list.next ?? null, null, `more than one page of ${kind}`);
    for (const { id } of list.items) {
      const response = await fetch(`${url}/api/v1/${kind}/${encodeURIComponent(id)}`, {
        headers: bearer(token),
      });
      assert.equal(response.status, 200, `${kind} ${id}`);
      const history = ((await response.json()) as { revisions: Record<string, unknown>[] }).revisions;
      history.forEach((revision, i) => {
        assert.equal(
          revision.revision,
          i + 1,
          `${kind} ${id}: revision ${i + 1} is numbered ${String(revision.revision)}`,
        );
        if (i > 0) {
          assert.ok(
            Number(revision.seq) > Number(history[i - 1]?.seq),
            `${kind} ${id}: revisions not oldest first`,
          );
          if (kind === 'events')
            assert.notDeepEqual(
              content(revision),
              content(history[i - 1] ?? {}),
              `${kind} ${id}: revision ${i + 1} repeats ${i}`,
            );
        }
      });
      items += 1;
      if (history.length > 1) revised += 1;
    }
  }
  return { items, revised };
}

test('a server killed mid-stream and restarted ends with the same events and potential violations as one never killed', async () => {
  const scenario = await fireScenario(8);
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < scenario.records.length; i += 6) batches.push(scenario.records.slice(i, i + 6));

  const wholeDb = join(dir, 'whole.db');
  const wholeAccess = await prepare(wholeDb, scenario);
  const whole = await start(wholeDb);
  for (const batch of batches) await post(whole.url, wholeAccess, batch);
  const expected = await settled(whole.url, wholeAccess.readToken);
  assert.ok(expected.events.length >= scenario.launches.length - 1, 'fusion made too few events');
  assert.ok(expected.violations.length > 0);

  const db = join(dir, 'killed.db');
  const access = await prepare(db, scenario);
  let server = await start(db);
  const half = Math.floor(batches.length / 2);
  for (const batch of batches.slice(0, half)) await post(server.url, access, batch);
  // Killed while fusion is catching up on what was just committed.
  server.child.kill('SIGKILL');
  await server.exited;
  server = await start(db);
  for (const batch of batches.slice(half)) await post(server.url, access, batch);
  assert.deepEqual(await settled(server.url, access.readToken), expected);
  // Revision counts may differ (which provisional states were shown depends on when fusion ran), but
  // each history is whole and in order, with no state published twice in a row, in both runs.
  for (const run of [
    await checkHistories(whole.url, wholeAccess.readToken),
    await checkHistories(server.url, access.readToken),
  ]) {
    assert.ok(run.items >= expected.events.length + expected.violations.length, `${run.items} items`);
    assert.ok(run.revised > 0, 'no history with more than one revision: nothing was checked');
  }
});

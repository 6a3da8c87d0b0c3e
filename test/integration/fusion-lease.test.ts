// One pipeline fuses a store at a time. A server holds fusion's lease; `truceline ingest DIR` on its
// file stores the observations and leaves their fusion to the server (before, its final drain moved
// the shared cursor past groups the server still waited to complete, and a server restarted after it
// lost their events). A server that finds the lease held stands by and takes over when the holder
// stops, or at once when the holder's process is found dead on this host.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { AppDeps } from '../../src/application/app-deps.ts';
import { FusionHealth, type FusionHealthView } from '../../src/application/fusion-health.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import { assemble, fusionLeaseOf, fusionLogic, localHost, openStore, startFusion } from '../../src/main.ts';
import { FusionPipeline, type FusionLogic } from '../../src/application/fusion-pipeline.ts';
import { recordObservations } from '../../src/application/record-observations.ts';
import { registerSource } from '../../src/application/register-source.ts';
import { TestClock } from '../helpers/app-harness.ts';
import { fireScenario, SCENARIO_START_MS } from '../helpers/fusion-scenario.ts';
import { runCli, runCliOk, startServer } from '../helpers/cli.ts';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'truceline-fusion-lease-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const depsOn = async (path: string): Promise<AppDeps> =>
  assemble(await openStore({ db: path }, 'serve'), {
    validationThreads: 0,
    ledgerKey: `${path}.ledger-key`,
    attachments: `${path}.attachments`,
  });

/** Polls `check` until it returns a value, or fails the test after `ms`. */
async function until<T>(what: string, check: () => T | undefined, ms = 20_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 100) {
    const value = check();
    if (value !== undefined) return value;
    await sleep(100);
  }
  assert.fail(`${what} did not happen within ${ms} ms`);
}

describe('fusion’s lease: one pipeline fuses a store', () => {
  it('ingest DIR on a server’s store stores the observations and leaves their fusion to the server', async () => {
    const db = join(root, 'served.db');
    const sim = join(root, 'sim');
    await runCliOk([
      'simulate',
      '--agreement',
      'donbas-2015',
      '--hours',
      '1',
      '--seed',
      '3',
      '--intensity',
      'normal',
      '--out',
      sim,
    ]);
    // The store knows the agreement before the server starts fusing it.
    await runCliOk(['agreement', 'register', join(sim, 'agreement.json'), '--db', db]);
    const server = await startServer(['--db', db, '--agreement', 'donbas-2015']);
    let stopped = false;
    try {
      const peek = new Database(db, { readonly: true });
      const lease = () =>
        peek.prepare('SELECT purpose, pid FROM fusion_lease').get() as
          { purpose: string; pid: number } | undefined;
      const held = await until('the server claiming the lease', lease);
      assert.deepEqual(held, { purpose: 'serve', pid: server.child.pid });

      const ingested = await runCli(['ingest', sim, '--db', db, '--json']);
      assert.equal(ingested.code, 0, ingested.stderr);
      const summary = JSON.parse(ingested.stdout) as {
        accepted: number;
        events: number;
        fusedBy?: { purpose: string; pid: number; host: string };
      };
      assert.ok(summary.accepted > 100, ingested.stdout);
      assert.equal(summary.events, 0, 'the ingest made no event of its own');
      assert.deepEqual(summary.fusedBy, { purpose: 'serve', pid: server.child.pid, host: localHost() });
      assert.match(
        ingested.stderr,
        /observations stored; fusion left to serve \(process \d+ on .+\), which holds fusion’s lease/,
      );

      // The server fuses what the ingest stored: events come, and its cursor follows the observations.
      const state = () =>
        peek.prepare('SELECT last_seq, fusion_cursor FROM store_state').get() as {
          last_seq: number;
          fusion_cursor: number;
        };
      const fused = () =>
        (peek.prepare('SELECT count(*) AS n FROM event_revisions').get() as { n: number }).n;
      await until('the server fusing the ingested observations', () => (fused() > 0 ? true : undefined));
      assert.ok(state().fusion_cursor > 0);

      // Stopped, the server gives the lease up: the next ingest fuses its directory itself, to the end.
      server.child.kill('SIGTERM');
      await new Promise((resolve) => server.child.once('exit', resolve));
      stopped = true;
      assert.equal(lease(), undefined, 'the lease is given up on stopping');
      const alone = JSON.parse(await runCliOk(['ingest', sim, '--db', db, '--json'])) as {
        duplicates: number;
        fusedBy?: unknown;
      };
      assert.equal(alone.fusedBy, undefined);
      assert.equal(alone.duplicates, summary.accepted);
      const lastObservation = (
        peek.prepare('SELECT max(seq) AS seq FROM observations').get() as { seq: number }
      ).seq;
      assert.ok(state().fusion_cursor >= lastObservation, 'every observation is accounted for');
      assert.equal(lease(), undefined, 'the ingest gives the lease up when done');
      peek.close();
    } finally {
      if (!stopped) server.child.kill('SIGKILL');
    }
  });

  it('two ingest DIR on one store at once: the second waits for the first, then ingests and fuses, with the events of the two one after the other', async () => {
    const simulate = async (name: string, hours: string, intensity: string, start: string) => {
      const dir = join(root, name);
      const args = ['--agreement', 'donbas-2015', '--hours', hours, '--seed', '5', '--intensity', intensity];
      await runCliOk(['simulate', ...args, '--start', start, '--out', dir]);
      return dir;
    };
    const [big, small] = await Promise.all([
      simulate('big', '2', 'worst-day', '2026-03-01T00:00:00Z'),
      simulate('small', '1', 'normal', '2026-03-05T00:00:00Z'),
    ]);
    const eventsOf = (path: string): string[] => {
      const db = new Database(path, { readonly: true });
      try {
        const rows = db.prepare('SELECT id, type, time_ms, lat, lon FROM event_heads ORDER BY id').all();
        return rows.map((row) => JSON.stringify(row));
      } finally {
        db.close();
      }
    };
    const sequential = join(root, 'sequential.db');
    for (const dir of [big, small]) await runCliOk(['ingest', dir, '--db', sequential]);

    const shared = join(root, 'shared.db');
    await runCliOk(['agreement', 'register', join(big, 'agreement.json'), '--db', shared]);
    const first = runCli(['ingest', big, '--db', shared, '--json']);
    // The second starts once the first holds the lease.
    const peek = new Database(shared, { readonly: true });
    await until('the first ingest claiming the lease', () =>
      peek.prepare('SELECT purpose FROM fusion_lease').get() === undefined ? undefined : true,
    );
    const second = await runCli(['ingest', small, '--db', shared, '--json']);
    const done = await first;
    for (const result of [done, second]) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal((JSON.parse(result.stdout) as { fusedBy?: unknown }).fusedBy, undefined);
    }
    assert.match(
      second.stderr,
      /waiting for ingest \(process \d+ on .+\), which fuses this store, to finish/,
    );
    assert.ok((JSON.parse(second.stdout) as { events: number }).events > 0, 'the second fused its own');
    assert.equal(peek.prepare('SELECT purpose FROM fusion_lease').get(), undefined, 'the lease is free');
    peek.close();
    assert.deepEqual(eventsOf(shared), eventsOf(sequential));
  });

  it('a second server stands by while the first fuses, and takes over once it stops', async () => {
    const db = join(root, 'two.db');
    const [first, second] = [await depsOn(db), await depsOn(db)];
    await registerAgreement(first, {
      text: readFileSync('data/agreements/donbas-2015.yaml', 'utf8'),
      format: 'yaml',
    });
    const health = [
      new FusionHealth('donbas-2015', first.clock),
      new FusionHealth('donbas-2015', second.clock),
    ] as const;
    const standbys: (string | undefined)[] = [];
    const state = (i: 0 | 1): FusionHealthView['state'] => health[i].view().state;
    const errors: unknown[] = [];
    const stopFirst = startFusion(first, 'donbas-2015', (e) => errors.push(e), { health: health[0] });
    await until('the first running', () => (state(0) === 'running' ? true : undefined));
    const stopSecond = startFusion(second, 'donbas-2015', (e) => errors.push(e), {
      health: health[1],
      onStandby: (heldBy) => standbys.push(heldBy?.purpose),
    });
    try {
      await until('the second standing by', () => (state(1) === 'standby' ? true : undefined));
      assert.deepEqual(standbys, ['serve']);
      await stopFirst();
      // The second claims it on its next run (every 2 s).
      await until('the second taking over', () => (state(1) === 'running' ? true : undefined), 5_000);
      assert.deepEqual(standbys, ['serve', undefined]);
      assert.deepEqual(errors, []);
    } finally {
      await stopSecond();
      await first.store.close();
      await second.store.close();
    }
  });

  it('renews the lease page by page through a catch-up that outlasts a claim', async () => {
    const base = await depsOn(join(root, 'catch-up.db'));
    const clock = new TestClock(SCENARIO_START_MS + 86_400_000);
    const deps: AppDeps = { ...base, clock };
    try {
      const scenario = await fireScenario(3);
      await registerAgreement(deps, { text: scenario.agreementText, format: 'yaml' });
      for (const source of scenario.sources) await registerSource(deps, source);
      await recordObservations(deps, {
        input: { format: 'json', text: JSON.stringify(scenario.records) },
        origin: 'http',
      });
      // Each page takes the engine 15 s (of the test's clock): the catch-up lasts far past one claim.
      const slow: FusionLogic = {
        ...fusionLogic,
        newEngine: (options) => {
          const engine = fusionLogic.newEngine(options);
          const add = engine.add.bind(engine);
          engine.add = (inputs) => {
            clock.ms += 15_000;
            add(inputs);
          };
          return engine;
        },
      };
      const lease = fusionLeaseOf(deps, 'serve');
      const pipeline = new FusionPipeline(deps, slow, { agreementId: 'donbas-2015', pageSize: 4, lease });
      const report = await pipeline.run(true);
      assert.equal(report.heldBy, undefined);
      assert.ok(report.observations > 4 * 4, `${report.observations} observations, in more than 4 pages`);
      // Another process asking now finds the lease held, not run out.
      const other = await deps.store.fusion.claimLease(
        { holder: 'other', pid: process.pid, host: hostname(), purpose: 'ingest' },
        clock.now(),
        30_000,
      );
      assert.equal(other.granted, false);
      assert.equal(other.lease.holder, lease.holder);
    } finally {
      await deps.store.close();
    }
  });

  it('takes the lease at once from a holder whose process is gone from this host', async () => {
    const deps = await depsOn(join(root, 'dead.db'));
    try {
      const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
        encoding: 'utf8',
      });
      const deadPid = Number(gone.stdout);
      const now = deps.clock.now();
      const claim = { holder: 'crashed', host: localHost(), purpose: 'ingest' };
      assert.equal(
        (await deps.store.fusion.claimLease({ ...claim, pid: deadPid }, now, 60_000)).granted,
        true,
      );
      const keeper = fusionLeaseOf(deps, 'serve');
      assert.deepEqual(await keeper.hold(), { held: true });

      // A live holder (this test's process) is waited for, however long it holds the lease.
      await keeper.release();
      await deps.store.fusion.claimLease({ ...claim, holder: 'alive', pid: process.pid }, now, 60_000);
      const other = fusionLeaseOf(deps, 'serve');
      const refused = await other.hold();
      assert.equal(refused.held, false);
      // And one on another host, whose process this one cannot see.
      await deps.store.fusion.releaseLease('alive');
      await deps.store.fusion.claimLease(
        { ...claim, holder: 'remote', pid: deadPid, host: `not-${hostname()}` },
        now,
        60_000,
      );
      assert.equal((await other.hold()).held, false);
    } finally {
      await deps.store.close();
    }
  });
});

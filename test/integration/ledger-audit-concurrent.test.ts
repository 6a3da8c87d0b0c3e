// The audit of a store that another process is writing to: it reads one snapshot, so commits made
// while it runs never make it fail.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { ObservationFactory } from '../helpers/observation-factory.ts';

const dir = mkdtempSync(join(tmpdir(), 'truceline-audit-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const WRITER = fileURLToPath(new URL('../helpers/busy-writer.ts', import.meta.url));

test('audits pass while another process keeps committing', { timeout: 120_000 }, async () => {
  const path = join(dir, 'busy.db');
  const store = await openSqliteStore({ path });
  const make = new ObservationFactory();
  for (let i = 0; i < 20; i += 1)
    await store.observations.commitIngest(make.batch(Array.from({ length: 500 }, () => make.valid())));
  const writer = spawn(process.execPath, ['--import', 'tsx', WRITER, path], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await once(writer.stdout, 'data');
    const sizes: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const outcome = await store.ledger.audit();
      assert.equal(outcome.ok, true, JSON.stringify(outcome));
      if (outcome.ok) sizes.push(outcome.size);
    }
    assert.ok(
      (sizes.at(-1) ?? 0) > (sizes[0] ?? 0),
      `the log grew while it was audited (${sizes.join(', ')})`,
    );
  } finally {
    writer.kill('SIGKILL');
    await once(writer, 'exit');
    await store.close();
  }
});

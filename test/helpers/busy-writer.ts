// A second process that keeps committing observations to a SQLite store until it is killed
// (tests of what readers see while another process writes). Prints "ready" after its first commit.
import { openSqliteStore } from '../../src/adapters/sqlite/open-sqlite-store.ts';
import { ObservationFactory } from './observation-factory.ts';

const path = process.argv[2];
if (path === undefined) throw new Error('usage: busy-writer.ts DB');
const store = await openSqliteStore({ path });
const make = new ObservationFactory({ baseTimeMs: Date.parse('2026-02-02T00:00:00Z') });
let first = true;
for (;;) {
  await store.observations.commitIngest(
    make.batch(Array.from({ length: 50 }, (_, i) => make.valid({ sourceId: `busy-${i % 5}` }))),
  );
  if (first) process.stdout.write('ready\n');
  first = false;
}

// A gateway that lost the answer sends the same batch again (same batch id, same body): nothing is
// stored again, and the answer says again what became of each record — the stored ones are
// duplicates, the rejected ones are rejected for the same reason.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startHarness, TestClock } from '../helpers/app-harness.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

const record = (id: string, lat: number) => ({
  id,
  sourceId: 'ac-1',
  kind: 'acoustic',
  observedAt: '2026-03-01T11:00:00Z',
  timeUncertaintyMs: 10,
  location: { lat, lon: 37.7, ceM: 5 },
  payload: { signal: 'impact' },
});

test('a resend reports the stored records as duplicates and the rejected ones as rejected, storing nothing', async () => {
  const h = await startHarness({ clock: new TestClock(NOW), sources: [{ id: 'ac-1', kind: 'acoustic' }] });
  try {
    // b's latitude is out of range; d is of another kind than its source's.
    const body = [
      record('a', 48.1),
      record('b', 95),
      record('c', 48.2),
      { ...record('d', 48.3), kind: 'seismic', payload: { magnitude: 1 } },
    ];
    const send = () =>
      h.inject({ method: 'POST', url: '/api/v1/observations', payload: body, batchId: 'gw-1' });
    const first = await send();
    assert.equal(first.statusCode, 200, first.body);
    const firstReport = first.json<{
      accepted: number;
      rejected: number;
      rejections: { index: number; field: string; reason: string }[];
    }>();
    assert.deepEqual([firstReport.accepted, firstReport.rejected], [2, 2]);
    const quarantined = await h.deps.store.observations.countQuarantine();

    const again = await send();
    assert.equal(again.statusCode, 200, again.body);
    const report = again.json<{
      accepted: number;
      duplicates: number;
      rejected: number;
      rejections: { index: number; field: string; reason: string }[];
    }>();
    assert.deepEqual([report.accepted, report.duplicates, report.rejected], [0, 2, 2]);
    assert.deepEqual(
      report.rejections.map((r) => [r.index, r.field, r.reason]),
      firstReport.rejections.map((r) => [r.index, r.field, r.reason]),
      'each rejected again for the reason first given',
    );
    assert.equal(await h.deps.store.observations.count(), 2);
    assert.equal(await h.deps.store.observations.countQuarantine(), quarantined, 'nothing quarantined again');
  } finally {
    await h.close();
  }
});

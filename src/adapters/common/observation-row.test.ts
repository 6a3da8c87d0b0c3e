import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { observation, text } from '../../../test/helpers/observation-arbitraries.ts';
import { observationMarking } from '../../core/access/markings.ts';
import { validateObservation } from '../../core/observations/validate-observation.ts';
import { markingColumns } from './marking-columns.ts';
import {
  DEFAULT_OBSERVATION_MARKING,
  observationRecord,
  observationRecordOf,
  observationRow,
} from './observation-row.ts';

const now = Date.parse('2026-06-01T00:00:00Z');
const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

test('the record written straight from an observation is the canonical record of its row', () => {
  const markings = [
    DEFAULT_OBSERVATION_MARKING,
    markingColumns(observationMarking('party-a', 'party')),
    markingColumns(observationMarking('member-1', 'member')),
  ];
  fc.assert(
    fc.property(
      fc.oneof(observation({ now }), observation({ now, full: true })),
      fc.integer({ min: 0, max: now + 86_400_000 }),
      fc.option(text(64, 1), { nil: null }),
      fc.constantFrom(...markings),
      (record, receivedAtMs, batchId, marking) => {
        const result = validateObservation(record, now, sha256);
        assert.ok(result.ok, JSON.stringify(result));
        const o = result.observation;
        assert.equal(
          observationRecordOf(o, receivedAtMs, batchId, marking),
          observationRecord(observationRow(o, receivedAtMs, batchId, marking)),
        );
      },
    ),
    { numRuns: 1_000 },
  );
});

test('-0 is written as 0, as the row stores it, and what a record cannot hold is refused', () => {
  const result = validateObservation(
    {
      id: 'r-1',
      sourceId: 'ac-1',
      kind: 'acoustic',
      observedAt: '2026-05-31T23:00:00Z',
      timeUncertaintyMs: 0,
      location: { lat: -0, lon: -0, ceM: 5 },
      payload: { signal: 'impact' },
    },
    now,
    sha256,
  );
  assert.ok(result.ok);
  const o = result.observation;
  const record = observationRecordOf(o, now, null, DEFAULT_OBSERVATION_MARKING);
  assert.match(record, /"lat":0,"lon":0,/);
  assert.equal(record, observationRecord(observationRow(o, now, null, DEFAULT_OBSERVATION_MARKING)));
  assert.throws(
    () => observationRecordOf({ ...o, lat: Number.NaN }, now, null, DEFAULT_OBSERVATION_MARKING),
    /not a real/,
  );
  assert.throws(() => observationRecordOf(o, now + 0.5, null, DEFAULT_OBSERVATION_MARKING), /not an integer/);
});

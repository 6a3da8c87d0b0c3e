import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { Marking } from '../../core/access/markings.ts';
import type { View } from '../../core/access/policy.ts';
import type { StoredObservation } from '../../core/ports/observation-store.ts';
import { canonicalJson } from '../../core/observations/canonical-json.ts';
import {
  presentObservation,
  presentObservationJson,
  presentObservationPage,
} from './observation-presenter.ts';

const VIEWS: readonly View[] = [
  { sensorDetails: true, provenance: 'full', observerIdentity: true, location: 'exact' },
  { sensorDetails: false, provenance: 'counts', observerIdentity: false, location: 'coarse' },
];

const SHARED_MARKING: Marking = { tlp: 'AMBER', releasableTo: ['mission'] };

/** Text of any script: ASCII, Cyrillic, emoji, quotes and control characters to escape. */
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });

const rowArbitrary: fc.Arbitrary<StoredObservation> = fc
  .record({
    seq: fc.integer({ min: 1, max: 2 ** 40 }),
    kind: fc.constantFrom('acoustic', 'patrol', 'radar'),
    receivedAtMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    contentSha256: fc.stringMatching(/^[0-9a-f]{64}$/),
    note: anyText,
    // Long content makes the page outgrow its first guess of size (3 bytes a character).
    padding: fc.constantFrom('', '€'.repeat(600), 'Лінія '.repeat(200)),
    marking: fc.oneof(
      fc.constant(SHARED_MARKING),
      fc.record({
        tlp: fc.constantFrom('CLEAR', 'GREEN', 'AMBER', 'RED'),
        releasableTo: fc.array(fc.constantFrom('mission', 'party-ua', 'party-ru'), { maxLength: 3 }),
      }),
    ),
  })
  .map(({ seq, kind, receivedAtMs, contentSha256, note, padding, marking }) => {
    const record = {
      id: `r-${seq}`,
      kind,
      sourceId: 'patrol-7',
      payload: { note, padding, observer: { lat: 48.1, lon: 37.9 }, patrolId: 'p-1' },
    };
    return {
      seq,
      sourceId: 'patrol-7',
      recordId: `r-${seq}`,
      kind,
      observedAtMs: receivedAtMs,
      timeUncertaintyMs: 0,
      receivedAtMs,
      lat: null,
      lon: null,
      ceM: null,
      weaponClass: null,
      batchId: null,
      contentSha256,
      content: canonicalJson(record),
      marking,
    };
  });

describe('a page of observations written as bytes', () => {
  test('parses to the presented rows, in any script and either view, and the next cursor', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { maxLength: 25 }),
        fc.constantFrom(...VIEWS),
        fc.option(fc.stringMatching(/^[0-9]{1,15}$/), { nil: null }),
        (rows, view, next) => {
          const bytes = presentObservationPage(rows, view, next);
          const page = JSON.parse(bytes.toString('utf8')) as unknown;
          assert.deepEqual(page, { items: rows.map((row) => presentObservation(row, view)), next });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('each row is the same text as presentObservationJson', () => {
    fc.assert(
      fc.property(
        fc.array(rowArbitrary, { minLength: 1, maxLength: 8 }),
        fc.constantFrom(...VIEWS),
        (rows, view) => {
          const text = presentObservationPage(rows, view, null).toString('utf8');
          assert.equal(
            text,
            `{"items":[${rows.map((row) => presentObservationJson(row, view)).join(',')}],"next":null}`,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test('outside the mission a patrol report loses who observed; inside it goes out whole', () => {
    const [row] = fc.sample(
      rowArbitrary.filter((r) => r.kind === 'patrol'),
      { numRuns: 1, seed: 7 },
    );
    assert.ok(row !== undefined);
    const [mission, outside] = VIEWS.map(
      (view) =>
        (
          JSON.parse(presentObservationPage([row], view, null).toString('utf8')) as {
            items: { record: Record<string, unknown> & { payload: Record<string, unknown> } }[];
          }
        ).items[0]!.record,
    );
    assert.equal(mission?.sourceId, 'patrol-7');
    assert.ok(mission !== undefined && 'observer' in mission.payload);
    assert.equal(outside?.sourceId, undefined);
    assert.equal(outside?.id, undefined);
    assert.ok(outside !== undefined && !('observer' in outside.payload) && !('patrolId' in outside.payload));
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProhibitedConduct } from '../agreement/schema.ts';
import type { Complaint } from './complaint.ts';
import { validateComplaint } from './complaint.ts';
import {
  COMPLAINT_LINK_DISTANCE_KM,
  COMPLAINT_LINK_WINDOW_MS,
  linkComplaint,
  type LinkCandidate,
} from './link-complaint.ts';

const WHEN = Date.parse('2026-06-01T14:00:00Z');
const HOUR = 3_600_000;
const HASH = 'b'.repeat(64);

const raw = (fields: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: 'c-1',
  complainant: 'alpha',
  accused: 'bravo',
  what: { eventKind: 'explosion' },
  where: { lat: 48.0, lon: 37.8 },
  when: WHEN,
  evidence: [HASH],
  description: 'Shelling of the school at about 14:00.',
  ...fields,
});

const complaint = (fields: Partial<Complaint> = {}): Complaint => {
  const result = validateComplaint(raw());
  assert.ok(result.ok);
  return { ...result.complaint, ...fields };
};

/** An event `km` north of the complaint's place (0.009° of latitude ≈ 1 km), `hours` after it. */
const event = (
  id: string,
  hours: number,
  km: number | null,
  type: LinkCandidate['type'] = 'explosion',
): LinkCandidate => ({
  id,
  type,
  timeMs: WHEN + hours * HOUR,
  location: km === null ? null : { lat: 48.0 + km * 0.008994, lon: 37.8 },
});

describe('validateComplaint', () => {
  it('accepts a complaint and fills what it leaves out with null', () => {
    const result = validateComplaint(raw({ where: undefined, what: { clause: 'no-fire' } }));
    assert.ok(result.ok);
    assert.equal(result.complaint.where, null);
    assert.deepEqual(result.complaint.what, { eventKind: null, clause: 'no-fire' });
  });

  it('names every field at fault', () => {
    const result = validateComplaint(
      raw({ accused: 'alpha', what: {}, evidence: [HASH, 'nothex'], description: '', when: 'yesterday' }),
    );
    assert.ok(!result.ok);
    assert.deepEqual(result.issues.map((issue) => issue.path).sort(), [
      'description',
      'evidence[1]',
      'what',
      'when',
    ]);
  });

  it('refuses a party accusing itself', () => {
    const result = validateComplaint(raw({ accused: 'alpha' }));
    assert.ok(!result.ok);
    assert.deepEqual(result.issues, [{ path: 'accused', reason: 'must not be the complainant' }]);
  });

  it('checks parties and clause against the terms when given them', () => {
    const result = validateComplaint(raw({ accused: 'charlie', what: { clause: 'no-such' } }), {
      parties: ['alpha', 'bravo'],
      clauses: ['no-fire'],
    });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.issues.map((issue) => issue.path),
      ['accused', 'what.clause'],
    );
  });
});

describe('linkComplaint', () => {
  it('links events within the window and the distance, closest first', () => {
    const links = linkComplaint(complaint(), [
      event('far-in-time', 3.5, 1),
      event('far-away', 0, 12),
      event('near', 0.25, 1),
      event('nearer', 0, 0.5),
      event('edge', 3, 9.9),
    ]);
    assert.deepEqual(
      links.map((link) => link.eventId),
      ['nearer', 'near', 'edge'],
    );
    assert.ok(Math.abs((links[0]?.distanceKm ?? 0) - 0.5) < 0.01);
    assert.equal(links[1]?.timeDeltaMs, 0.25 * HOUR);
    assert.equal(COMPLAINT_LINK_WINDOW_MS, 3 * HOUR);
    assert.equal(COMPLAINT_LINK_DISTANCE_KM, 10);
  });

  it('links only events of the alleged kind, and never withdrawn ones', () => {
    const links = linkComplaint(complaint(), [
      event('flight', 0, 1, 'drone-flight'),
      { ...event('gone', 0, 1), status: 'withdrawn' },
      event('boom', 0, 1),
    ]);
    assert.deepEqual(
      links.map((link) => link.eventId),
      ['boom'],
    );
  });

  it('without a position links by time and kind, never by time alone', () => {
    const placeless = complaint({ where: null });
    assert.deepEqual(
      linkComplaint(placeless, [event('boom', 1, 50), event('flight', 1, 50, 'drone-flight')]).map(
        (l) => l.eventId,
      ),
      ['boom'],
    );
    const vague = complaint({ where: null, what: { eventKind: null, clause: 'no-fire' } });
    assert.deepEqual(linkComplaint(vague, [event('boom', 1, 50)]), []);
  });

  it('reads the kinds of an alleged clause from the terms', () => {
    const conduct: ProhibitedConduct[] = [
      { id: 'no-fire', label: 'No fire', eventKinds: ['explosion', 'muzzle-flash'] },
    ];
    const byClause = complaint({ what: { eventKind: null, clause: 'no-fire' } });
    assert.deepEqual(
      linkComplaint(byClause, [event('boom', 0, 1), event('flight', 0, 1, 'drone-flight')], { conduct }).map(
        (l) => l.eventId,
      ),
      ['boom'],
    );
  });

  it('takes other limits when asked', () => {
    const links = linkComplaint(complaint(), [event('near', 0.25, 1)], { windowMs: 10 * 60_000 });
    assert.deepEqual(links, []);
  });
});

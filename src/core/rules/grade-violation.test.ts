import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attribution } from '../attribution/attribution.ts';
import type { Contribution, GaussianPoint } from '../fusion/event.ts';
import type { ObservationKind } from '../observations/kinds.ts';
import { gradeAttribution, gradeObservation, positionSigmaKm } from './grade-violation.ts';

const from = (kind: ObservationKind, sourceId: string, seq = 1): Contribution => ({
  seq,
  sourceId,
  recordId: `r-${seq}`,
  kind,
  observedAtMs: 0,
  role: 'report',
});
const at = (sigmaM: number): GaussianPoint => ({
  lat: 48,
  lon: 38,
  covariance: [sigmaM * sigmaM, 0, sigmaM * sigmaM],
});
const attribution = (decision: Attribution['decision'], confidence: number): Attribution => ({
  decision,
  party: decision === 'attributed' ? 'ua' : null,
  probabilities: { ua: confidence },
  nobodyProbability: 0,
  confidence,
  threshold: 0.9,
  method: 'closed-form',
});

describe('positionSigmaKm', () => {
  it('takes the worst direction of an elongated or tilted ellipse', () => {
    assert.equal(positionSigmaKm(at(300)), 0.3);
    assert.equal(positionSigmaKm({ lat: 0, lon: 0, covariance: [9e6, 0, 1e4] }), 3);
    // [[5, 4], [4, 5]] km² has eigenvalues 9 and 1.
    assert.ok(Math.abs(positionSigmaKm({ lat: 0, lon: 0, covariance: [5e6, 4e6, 5e6] }) - 3) < 1e-9);
  });
});

describe('gradeObservation', () => {
  const grade = (
    provenance: Contribution[],
    point: GaussianPoint | null,
    boundaryMarginKm: number | null = null,
  ) => gradeObservation({ provenance, point, boundaryMarginKm });

  it('is high with two first-hand sources, medium with one, low with complaints and open sources only', () => {
    assert.equal(
      grade([from('acoustic', 'a1'), from('acoustic', 'a2'), from('acoustic', 'a3')], at(100)),
      'high',
    );
    assert.equal(grade([from('camera', 'c1', 1), from('camera', 'c1', 2)], at(100)), 'medium');
    assert.equal(grade([from('patrol', 'p1'), from('complaint', 'ua-mod')], at(100)), 'medium');
    assert.equal(grade([from('complaint', 'ua-mod'), from('osint', 'media')], at(100)), 'low');
  });

  it('is capped by a vague position, or by none', () => {
    const two = [from('radar', 'r1'), from('acoustic', 'a1')];
    assert.equal(grade(two, at(900)), 'high');
    assert.equal(grade(two, at(2000)), 'medium');
    assert.equal(grade(two, at(6000)), 'low');
    assert.equal(grade(two, null), 'medium');
  });

  it('is capped when the point lies within 2 σ of a zone boundary, low within 1 σ', () => {
    const two = [from('radar', 'r1'), from('acoustic', 'a1')];
    assert.equal(grade(two, at(400), 1), 'high');
    assert.equal(grade(two, at(400), 0.6), 'medium');
    assert.equal(grade(two, at(400), 0.3), 'low');
  });
});

describe('gradeAttribution', () => {
  it('grades an attribution by its confidence, and anything not attributed as none', () => {
    assert.equal(gradeAttribution('attribution', attribution('attributed', 0.995), null), 'high');
    assert.equal(gradeAttribution('attribution', attribution('attributed', 0.92), null), 'medium');
    assert.equal(gradeAttribution('attribution', attribution('attributed', 0.8), null), 'low');
    assert.equal(gradeAttribution('attribution', attribution('undetermined', 0.8), null), 'none');
    assert.equal(gradeAttribution(null, attribution('not-attributable', 0), null), 'none');
  });

  it('grades a party found from the side by the distance to the line in units of σ', () => {
    const none = attribution('not-attributable', 0);
    assert.equal(gradeAttribution('side', none, { distanceKm: 3, sigmaKm: 1 }), 'high');
    assert.equal(gradeAttribution('side', none, { distanceKm: 2.5, sigmaKm: 1 }), 'medium');
    assert.equal(gradeAttribution('side', none, { distanceKm: 0.5, sigmaKm: 1 }), 'low');
  });
});

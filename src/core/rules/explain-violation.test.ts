import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProhibitedConduct, Zone } from '../agreement/schema.ts';
import type { Contribution } from '../fusion/event.ts';
import { explainViolation, type ExplanationContext } from './explain-violation.ts';
import type { PotentialViolation } from './potential-violation.ts';

const terms: ExplanationContext['terms'] = {
  version: 'test@2',
  effectiveAt: '2026-04-01T00:00:00+03:00',
  parties: [
    { id: 'alpha', names: { en: 'Alpha Republic', uk: 'Альфа', ru: 'Альфа' } },
    { id: 'bravo', names: { en: 'Bravo Forces', uk: 'Браво', ru: 'Браво' } },
  ],
};
const conduct: ProhibitedConduct = {
  id: 'heavy-weapons',
  label: 'A weapon inside its zone',
  eventKinds: ['weapon-sighting'],
};
const zone: Zone = {
  id: 'mortar-withdrawal',
  kind: 'limitation',
  label: 'Mortar withdrawal zone',
  weaponClasses: ['mortars-up-to-120mm'],
  distanceKm: 10,
};
const seen = (seq: number, kind: Contribution['kind']): Contribution => ({
  seq,
  sourceId: `s-${seq}`,
  recordId: `r-${seq}`,
  kind,
  observedAtMs: 0,
  role: 'sighting',
});

const violation: Omit<PotentialViolation, 'explanation'> = {
  id: 'ev-1#heavy-weapons@mortar-withdrawal',
  revision: 1,
  eventId: 'ev-1',
  eventRevision: 1,
  eventType: 'weapon-sighting',
  timeMs: Date.parse('2026-05-02T07:05:09Z'),
  clause: 'heavy-weapons',
  zoneId: 'mortar-withdrawal',
  agreementVersion: 'test@2',
  location: { lat: 48.123456, lon: 38.5, covariance: [100, 0, 100] },
  distanceToLineKm: 6.349,
  party: 'bravo',
  partyBasis: 'side',
  attribution: {
    decision: 'not-attributable',
    party: null,
    probabilities: {},
    nobodyProbability: 0,
    confidence: 0,
    threshold: 0.9,
    method: 'none',
  },
  weaponClass: 'mortars-up-to-120mm',
  grade: {
    observationCertainty: 'medium',
    attributionCertainty: 'high',
    adjudication: 'potential',
    severity: 'standard',
  },
  supportingSeqs: [3, 4, 5],
};
const context: ExplanationContext = {
  terms,
  conduct,
  zone,
  event: { count: 3, phase: null, provenance: [seen(3, 'camera'), seen(4, 'drone'), seen(5, 'camera')] },
  positionIsOrigin: false,
  measuredFrom: 'bravo',
  sides: null,
};

describe('explainViolation', () => {
  it('names the clause, the zone, the version, the time, the place, the distance and the evidence', () => {
    const text = explainViolation(violation, context);
    assert.match(text, /^Potential violation of “A weapon inside its zone” \(clause heavy-weapons\)/);
    assert.match(text, /in the zone “Mortar withdrawal zone” \(mortar-withdrawal\)/);
    assert.match(text, /must be kept 10 km back/);
    assert.match(
      text,
      /under test@2, the version of the terms in force at the time \(since 2026-04-01T00:00:00\+03:00\)/,
    );
    assert.match(text, /on 2 May 2026 at 07:05:09 UTC/);
    assert.match(text, /at 48\.1235° N, 38\.5000° E/);
    // To one decimal, from the line of the party it is counted against.
    assert.match(text, /6\.3 km from the reference line of Bravo Forces \(bravo\)/);
    assert.match(text, /It is counted against Bravo Forces, on whose side it stands\./);
    assert.match(text, /Supported by 3 observations: 2 camera and 1 drone\.$/);
    assert.doesNotMatch(text, /\n/);
  });

  it('says when the attribution is undetermined and when there is no position', () => {
    const text = explainViolation(
      {
        ...violation,
        eventType: 'explosion',
        location: null,
        distanceToLineKm: null,
        party: null,
        partyBasis: null,
        weaponClass: null,
        attribution: { ...violation.attribution, decision: 'undetermined', confidence: 0.64 },
      },
      { ...context, zone: null, event: { count: null, phase: null, provenance: [seen(9, 'complaint')] } },
    );
    assert.match(text, /An explosion was observed on 2 May 2026 at 07:05:09 UTC, with no position known\./);
    assert.match(
      text,
      /Attribution undetermined: no party reaches the 90 % threshold, the highest being 64 %\./,
    );
    assert.match(text, /Supported by 1 observation: 1 complaint\.$/);
    assert.doesNotMatch(text, /counted against/);
  });
});

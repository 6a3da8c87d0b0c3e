import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureText, shippedText } from '../../../test/fixtures/agreements/load.ts';
import { distanceToLineKm } from '../agreement/distance-to-line.ts';
import { wgs84 } from '../agreement/geodesic.ts';
import { parseAgreement } from '../agreement/parse-agreement.ts';
import type { Agreement } from '../agreement/schema.ts';
import { sideOf } from '../agreement/side-of.ts';
import type { Terms } from '../agreement/terms.ts';
import { getTermsInForce } from '../agreement/terms-in-force.ts';
import type { Attribution } from '../attribution/attribution.ts';
import type { Contribution, FusedEvent, GaussianPoint } from '../fusion/event.ts';
import type { ObservationKind } from '../observations/kinds.ts';
import { checkEvent, checkEventAgainstTerms } from './check-event.ts';

const load = (text: string): Agreement => {
  const { agreement, issues } = parseAgreement(text, 'yaml');
  assert.deepEqual(issues, []);
  assert.ok(agreement);
  return agreement;
};
const donbas = load(shippedText('donbas-2015'));
const paris = load(shippedText('paris-2026-illustrative'));
const perParty = load(fixtureText('per-party-lines.yaml'));

const at = (iso: string): number => Date.parse(iso);
/** Before the 2015 Addendum (donbas-2015@1), after it (@2), after the disengagement decision (@3), 2021 (@4). */
const BEFORE_ADDENDUM = at('2015-07-01T09:00:00Z');
const AFTER_ADDENDUM = at('2015-11-01T09:00:00Z');
const AFTER_DISENGAGEMENT = at('2017-03-01T09:00:00Z');
const IN_2021 = at('2021-03-01T09:00:00Z');
const PARIS_TIME = at('2026-06-01T09:00:00Z');

const point = (lat: number, lon: number, sigmaM = 50): GaussianPoint => ({
  lat,
  lon,
  covariance: [sigmaM * sigmaM, 0, sigmaM * sigmaM],
});

const contribution = (seq: number, kind: ObservationKind, sourceId = `${kind}-${seq}`): Contribution => ({
  seq,
  sourceId,
  recordId: `r-${seq}`,
  kind,
  observedAtMs: 0,
  role: 'sighting',
});

const event = (fields: Partial<FusedEvent> & Pick<FusedEvent, 'type' | 'timeMs'>): FusedEvent => ({
  id: 'ev-1',
  revision: 1,
  phase: null,
  status: 'active',
  timeSigmaMs: 100,
  location: null,
  origin: null,
  impact: null,
  method: 'sighting',
  weaponClass: null,
  count: null,
  provenance: [contribution(11, 'camera'), contribution(12, 'patrol')],
  asOfSeq: 12,
  ...fields,
});

const notAttributable: Attribution = {
  decision: 'not-attributable',
  party: null,
  probabilities: {},
  nobodyProbability: 0,
  confidence: 0,
  threshold: 0.9,
  method: 'none',
};
const undetermined: Attribution = {
  decision: 'undetermined',
  party: null,
  probabilities: { ua: 0.4, 'ru-af': 0.6 },
  nobodyProbability: 0,
  confidence: 0.6,
  threshold: 0.9,
  method: 'closed-form',
};
const attributedTo = (party: string, confidence: number): Attribution => ({
  decision: 'attributed',
  party,
  probabilities: { [party]: confidence },
  nobodyProbability: 0,
  confidence,
  threshold: 0.9,
  method: 'closed-form',
});

/**
 * A point `km` from the middle of segment `segment` of the party's reference line, moved along the
 * normal onto `side` (by default the party's own); checked with distanceToLineKm to lie at that
 * distance from the line.
 */
function awayFromLine(
  terms: Terms,
  party: string,
  km: number,
  segment: number,
  side: string = party,
): GaussianPoint {
  const line = terms.referenceLines.find((l) => l.parties.includes(party));
  assert.ok(line);
  const a = line.geometry.coordinates[segment];
  const b = line.geometry.coordinates[segment + 1];
  assert.ok(a && b);
  const inverse = wgs84.InverseLine(a[1], a[0], b[1], b[0]);
  const middle = inverse.Position(inverse.s13 / 2);
  for (const turn of [-90, 90]) {
    const moved = wgs84.Direct(middle.lat2 ?? 0, middle.lon2 ?? 0, (middle.azi2 ?? 0) + turn, km * 1000);
    const lat = moved.lat2 ?? 0;
    const lon = moved.lon2 ?? 0;
    if (sideOf(terms, lat, lon) !== side) continue;
    assert.ok(Math.abs(distanceToLineKm(terms, party, lat, lon) - km) < 0.01, 'the normal reaches the line');
    return point(lat, lon);
  }
  assert.fail(`no point ${km} km from the line of ${party} on the side of ${side}`);
}

const ids = (violations: readonly { id: string }[]): string[] => violations.map((v) => v.id);

describe('checkEvent: a weapon inside the limitation zone of its class', () => {
  const terms = getTermsInForce(donbas, AFTER_ADDENDUM);
  const tank = (location: GaussianPoint): FusedEvent =>
    event({ type: 'weapon-sighting', timeMs: AFTER_ADDENDUM, location, weaponClass: 'tanks', count: 2 });

  it('finds a tank 1 km inside the 15 km zone and not one 1 km outside, on either side', () => {
    for (const party of ['ua', 'ru-af']) {
      const inside = checkEvent(tank(awayFromLine(terms, party, 14, 18)), notAttributable, donbas);
      assert.deepEqual(ids(inside), ['ev-1#weapons-in-withdrawal-zone@withdrawal-15km']);
      assert.equal(inside[0]?.party, party);
      assert.equal(inside[0]?.partyBasis, 'side');
      assert.ok(Math.abs((inside[0]?.distanceToLineKm ?? 0) - 14) < 0.01);
      assert.deepEqual(checkEvent(tank(awayFromLine(terms, party, 16, 18)), notAttributable, donbas), []);
    }
  });

  it('measures each class against its own zone: artillery of 100 mm and more at 24 km is inside, at 26 km not', () => {
    const artillery = (location: GaussianPoint): FusedEvent => ({
      ...tank(location),
      weaponClass: 'artillery-100mm-plus',
    });
    assert.deepEqual(
      ids(checkEvent(artillery(awayFromLine(terms, 'ru-af', 24, 18)), notAttributable, donbas)),
      ['ev-1#weapons-in-withdrawal-zone@withdrawal-artillery-100mm'],
    );
    assert.deepEqual(
      checkEvent(artillery(awayFromLine(terms, 'ru-af', 26, 18)), notAttributable, donbas),
      [],
    );
    // A tank at 24 km is outside its 15 km zone; a weapon of no known class is in no class's zone.
    assert.deepEqual(checkEvent(tank(awayFromLine(terms, 'ru-af', 24, 18)), notAttributable, donbas), []);
    assert.deepEqual(
      checkEvent({ ...tank(awayFromLine(terms, 'ua', 5, 18)), weaponClass: null }, notAttributable, donbas),
      [],
    );
  });

  it("measures from THAT party's line when each party has its own", () => {
    const fixtureTerms = getTermsInForce(perParty, PARIS_TIME);
    // Bravo's line runs about 3.7 km east of alpha's, inside bravo's side: 17 km east of alpha's line is
    // more than 15 km from it, but less than 15 km from bravo's own line.
    const east = awayFromLine(fixtureTerms, 'alpha', 17, 1, 'bravo');
    assert.equal(sideOf(fixtureTerms, east.lat, east.lon), 'bravo');
    const fromBravo = distanceToLineKm(fixtureTerms, 'bravo', east.lat, east.lon);
    assert.ok(fromBravo < 15, `${fromBravo} km from bravo's line`);
    const found = checkEvent(
      event({
        type: 'weapon-sighting',
        timeMs: PARIS_TIME,
        location: east,
        weaponClass: 'artillery-100mm-plus',
      }),
      notAttributable,
      perParty,
    );
    assert.deepEqual(ids(found), ['ev-1#heavy-weapons-in-zone@artillery-withdrawal']);
    assert.equal(found[0]?.party, 'bravo');
    assert.equal(found[0]?.distanceToLineKm, fromBravo);
  });
});

describe('checkEvent: the version in force at the event time', () => {
  const tankAt = (timeMs: number): FusedEvent => {
    const location = awayFromLine(getTermsInForce(donbas, AFTER_ADDENDUM), 'ua', 10, 18);
    return event({ type: 'weapon-sighting', timeMs, location, weaponClass: 'tanks' });
  };

  it('does not find a tank at 10 km before the Addendum, and finds it after, citing that version', () => {
    assert.deepEqual(checkEvent(tankAt(BEFORE_ADDENDUM), notAttributable, donbas), []);
    const after = checkEvent(tankAt(AFTER_ADDENDUM), notAttributable, donbas);
    assert.deepEqual(ids(after), ['ev-1#weapons-in-withdrawal-zone@withdrawal-15km']);
    assert.equal(after[0]?.agreementVersion, 'donbas-2015@2');
  });

  it('cites the version in force at the time, not the newest', () => {
    const fire = (timeMs: number) =>
      checkEvent(event({ type: 'explosion', timeMs, location: point(48.0, 37.0) }), notAttributable, donbas);
    assert.equal(fire(BEFORE_ADDENDUM)[0]?.agreementVersion, 'donbas-2015@1');
    assert.equal(fire(AFTER_ADDENDUM)[0]?.agreementVersion, 'donbas-2015@2');
    assert.equal(fire(IN_2021)[0]?.agreementVersion, 'donbas-2015@4');
    assert.match(fire(AFTER_ADDENDUM)[0]?.explanation ?? '', /donbas-2015@2/);
  });

  it('finds nothing before the agreement took effect', () => {
    const early = event({
      type: 'explosion',
      timeMs: at('2015-01-01T00:00:00Z'),
      location: point(48.0, 37.0),
    });
    assert.deepEqual(checkEvent(early, notAttributable, donbas), []);
  });
});

describe('checkEvent: fire', () => {
  const terms = getTermsInForce(donbas, AFTER_ADDENDUM);
  const eastOrigin = awayFromLine(terms, 'ru-af', 8, 18);
  const westImpact = awayFromLine(terms, 'ua', 3, 18);
  const eastImpact = awayFromLine(terms, 'ru-af', 2, 18);
  const shot = (impact: GaussianPoint): FusedEvent =>
    event({
      type: 'explosion',
      timeMs: AFTER_ADDENDUM,
      location: impact,
      origin: eastOrigin,
      impact,
      method: 'acoustic-tdoa+radar',
      provenance: [contribution(1, 'acoustic'), contribution(2, 'acoustic'), contribution(3, 'radar')],
    });

  it('grades fire across the line higher than fire that lands on its own side', () => {
    const across = checkEvent(shot(westImpact), attributedTo('ru-af', 0.995), donbas);
    const within = checkEvent(shot(eastImpact), attributedTo('ru-af', 0.995), donbas);
    assert.deepEqual(ids(across), ['ev-1#ceasefire-violation']);
    assert.equal(across[0]?.grade.severity, 'higher');
    assert.equal(within[0]?.grade.severity, 'standard');
    assert.match(across[0]?.explanation ?? '', /fired across the line/);
  });

  it('reports the origin, the attributed party and its line, and grades the attribution', () => {
    const [violation] = checkEvent(shot(westImpact), attributedTo('ru-af', 0.995), donbas);
    assert.ok(violation);
    assert.deepEqual(violation.location, eastOrigin);
    assert.equal(violation.party, 'ru-af');
    assert.equal(violation.partyBasis, 'attribution');
    assert.ok(Math.abs((violation.distanceToLineKm ?? 0) - 8) < 0.01);
    assert.equal(violation.grade.attributionCertainty, 'high');
    assert.equal(violation.grade.observationCertainty, 'high');
    assert.equal(violation.grade.adjudication, 'potential');
    assert.deepEqual(violation.supportingSeqs, [1, 2, 3]);
    assert.equal(
      checkEvent(shot(westImpact), attributedTo('ru-af', 0.93), donbas)[0]?.grade.attributionCertainty,
      'medium',
    );
  });

  it('still reports unattributed fire, with no party and attribution certainty none', () => {
    for (const attribution of [undetermined, notAttributable]) {
      const [violation] = checkEvent(shot(westImpact), attribution, donbas);
      assert.ok(violation);
      assert.equal(violation.party, null);
      assert.equal(violation.partyBasis, null);
      assert.equal(violation.grade.attributionCertainty, 'none');
      assert.match(violation.explanation, /undetermined/i);
    }
    const noPosition = checkEvent(
      event({ type: 'bursts-and-shots', timeMs: AFTER_ADDENDUM }),
      undetermined,
      donbas,
    );
    assert.deepEqual(ids(noPosition), ['ev-1#ceasefire-violation']);
    assert.equal(noPosition[0]?.distanceToLineKm, null);
  });

  it('ignores fire outside the area of application (Crimea was outside the Minsk arrangements)', () => {
    const crimea = event({ type: 'explosion', timeMs: AFTER_ADDENDUM, location: point(45.0, 34.0) });
    assert.deepEqual(checkEvent(crimea, notAttributable, donbas), []);
    const underParis = checkEvent({ ...crimea, timeMs: PARIS_TIME }, notAttributable, paris);
    assert.deepEqual(ids(underParis), ['ev-1#fire']);
  });

  it('explains the clause, the version and the distance in one paragraph', () => {
    const [violation] = checkEvent(shot(westImpact), attributedTo('ru-af', 0.995), donbas);
    const text = violation?.explanation ?? '';
    assert.match(text, /Fire of any kind \(a breach of the ceasefire\)/);
    assert.match(text, /clause ceasefire-violation/);
    assert.match(text, /donbas-2015@2/);
    assert.match(text, /8\.0 km from the reference line of Armed formations/);
    assert.match(text, /confidence 100 %/);
    assert.match(text, /3 observations: 2 acoustic and 1 radar/);
    assert.doesNotMatch(text, /\n/);
  });
});

describe('checkEvent: presence, drones and impediments', () => {
  it('finds troops inside a disengagement area once the decision is in force', () => {
    const zolote = point(48.69, 38.51);
    const troops = (timeMs: number) =>
      checkEvent(
        event({ type: 'troop-presence', timeMs, location: zolote, count: 30 }),
        notAttributable,
        donbas,
      );
    assert.deepEqual(troops(AFTER_ADDENDUM), []);
    const found = troops(AFTER_DISENGAGEMENT);
    assert.deepEqual(ids(found), ['ev-1#forces-in-disengagement-area@disengagement-zolote']);
    assert.equal(found[0]?.agreementVersion, 'donbas-2015@3');
    assert.match(found[0]?.explanation ?? '', /Disengagement area near Zolote/);
    const outside = checkEvent(
      event({ type: 'troop-presence', timeMs: AFTER_DISENGAGEMENT, location: point(48.6, 38.2) }),
      notAttributable,
      donbas,
    );
    assert.deepEqual(outside, []);
  });

  it('finds troops in the Paris buffer zone within 7.5 km of the line and not beyond', () => {
    const terms = getTermsInForce(paris, PARIS_TIME);
    const troops = (location: GaussianPoint) =>
      checkEvent(event({ type: 'troop-presence', timeMs: PARIS_TIME, location }), notAttributable, paris);
    assert.deepEqual(ids(troops(awayFromLine(terms, 'ru', 6.5, 14))), [
      'ev-1#forces-in-buffer-zone@buffer-zone',
    ]);
    assert.deepEqual(troops(awayFromLine(terms, 'ru', 8.5, 14)), []);
  });

  it('finds drone flights over the line, not behind it, once aerial vehicles are banned', () => {
    const terms = getTermsInForce(donbas, IN_2021);
    const flight = (location: GaussianPoint, timeMs = IN_2021): FusedEvent =>
      event({ type: 'drone-flight', timeMs, location, method: 'radar' });
    const nearLine = awayFromLine(terms, 'ua', 0.5, 18);
    const behind = awayFromLine(terms, 'ua', 20, 18);
    assert.deepEqual(ids(checkEvent(flight(nearLine), notAttributable, donbas)), ['ev-1#aerial-vehicles']);
    assert.deepEqual(checkEvent(flight(behind), attributedTo('ua', 0.99), donbas), []);
    // Attributed to the other party, 20 km into ua's side: over the line.
    assert.deepEqual(ids(checkEvent(flight(behind), attributedTo('ru-af', 0.99), donbas)), [
      'ev-1#aerial-vehicles',
    ]);
    // Before the July 2020 measures, no clause covers drone flights.
    assert.deepEqual(checkEvent(flight(nearLine, AFTER_DISENGAGEMENT), notAttributable, donbas), []);
  });

  it('finds drone flights over the Paris buffer zone', () => {
    const terms = getTermsInForce(paris, PARIS_TIME);
    const flight = (location: GaussianPoint): FusedEvent =>
      event({ type: 'drone-flight', timeMs: PARIS_TIME, location, method: 'radar' });
    assert.deepEqual(ids(checkEvent(flight(awayFromLine(terms, 'ua', 4, 14)), notAttributable, paris)), [
      'ev-1#flights-over-buffer-zone@buffer-zone',
    ]);
    assert.deepEqual(checkEvent(flight(awayFromLine(terms, 'ua', 12, 14)), notAttributable, paris), []);
  });

  it('finds impediments to the monitors anywhere, with or without a position', () => {
    const found = checkEvent(event({ type: 'impediment', timeMs: PARIS_TIME }), notAttributable, paris);
    assert.deepEqual(ids(found), ['ev-1#impeding-monitors']);
    assert.equal(found[0]?.zoneId, null);
  });
});

describe('checkEvent: stable and deterministic', () => {
  const terms = getTermsInForce(donbas, AFTER_ADDENDUM);
  const first = event({
    type: 'weapon-sighting',
    timeMs: AFTER_ADDENDUM,
    location: awayFromLine(terms, 'ua', 12, 18),
    weaponClass: 'tanks',
  });

  it('gives identical output for the same input', () => {
    const a = checkEvent(first, notAttributable, donbas);
    const b = checkEvent(structuredClone(first), structuredClone(notAttributable), donbas);
    assert.equal(a.length, 1);
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(checkEventAgainstTerms(first, notAttributable, terms), a);
  });

  it('finds nothing in a withdrawn event', () => {
    assert.deepEqual(checkEvent({ ...first, revision: 2, status: 'withdrawn' }, notAttributable, donbas), []);
  });

  it('makes a revised event a revision of the same potential violation', () => {
    const revised: FusedEvent = {
      ...first,
      revision: 2,
      provenance: [...first.provenance, contribution(40, 'drone')],
      asOfSeq: 40,
    };
    const [before] = checkEvent(first, notAttributable, donbas);
    const [after] = checkEvent(revised, notAttributable, donbas);
    assert.ok(before && after);
    assert.equal(after.id, before.id);
    assert.equal(after.revision, 2);
    assert.equal(after.eventRevision, 2);
    assert.deepEqual(after.supportingSeqs, [11, 12, 40]);
    assert.notEqual(checkEvent({ ...first, id: 'ev-2' }, notAttributable, donbas)[0]?.id, before.id);
  });
});

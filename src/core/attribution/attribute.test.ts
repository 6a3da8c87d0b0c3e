import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureText, shippedText } from '../../../test/fixtures/agreements/load.ts';
import { wgs84 } from '../agreement/geodesic.ts';
import { getTermsInForce, parseAgreement, sideOf, type Position, type Terms } from '../agreement/index.ts';
import { isTrucelineError } from '../errors.ts';
import { attribute } from './attribute.ts';
import { normalCdf } from './normal.ts';
import {
  circular,
  offsetFromSegment,
  quasiRandomShares,
  randomShares,
  seededRandom,
  stepFrom,
} from './test-support.ts';

const termsOf = (text: string, iso: string): Terms => {
  const { agreement } = parseAgreement(text, 'yaml');
  assert.ok(agreement);
  return getTermsInForce(agreement, Date.parse(iso));
};
const donbas = termsOf(shippedText('donbas-2015'), '2020-01-01T00:00:00Z');
const paris = termsOf(shippedText('paris-2026-illustrative'), '2026-06-01T00:00:00Z');
const fixture = termsOf(fixtureText('per-party-lines.yaml'), '2026-06-01T00:00:00Z');

const lineOf = (terms: Terms): readonly Position[] => terms.referenceLines[0]?.geometry.coordinates ?? [];
const position = (terms: Terms, i: number): Position => {
  const p = lineOf(terms)[i];
  assert.ok(p);
  return p;
};

/**
 * Long straight stretches of the shipped lines, and the party on their left and right: donbas-2015
 * runs from the Russian border south to the sea (ua west, on its right); paris-2026 runs from the
 * north-east to the Dnipro mouth (ua north and west, on its right).
 */
const STRETCHES = [
  { name: 'donbas-2015', terms: donbas, from: 17, left: 'ru-af', right: 'ua' },
  { name: 'donbas-2015', terms: donbas, from: 2, left: 'ru-af', right: 'ua' },
  { name: 'paris-2026-illustrative', terms: paris, from: 7, left: 'ru', right: 'ua' },
  { name: 'paris-2026-illustrative', terms: paris, from: 16, left: 'ru', right: 'ua' },
] as const;

describe('attribute on a straight stretch of the line', () => {
  for (const { name, terms, from, left, right } of STRETCHES)
    it(`${name}, segment ${from}: 1σ away is undetermined, 5σ away is attributed to the party of that side`, () => {
      const a = position(terms, from);
      const b = position(terms, from + 1);
      const sigma = 400;
      for (const [sign, party] of [
        [1, left],
        [-1, right],
      ] as const) {
        const near = attribute(terms, circular(offsetFromSegment(a, b, 0.5, sign * sigma), sigma));
        assert.equal(near.decision, 'undetermined');
        assert.equal(near.party, null);
        // Across a straight stretch the answer is Φ(d/σ): 0.841 at 1σ.
        assert.ok(Math.abs((near.probabilities[party] ?? 0) - normalCdf(1)) < 2e-3, JSON.stringify(near));
        assert.equal(near.confidence, near.probabilities[party]);

        const far = attribute(terms, circular(offsetFromSegment(a, b, 0.5, sign * 5 * sigma), sigma));
        assert.equal(far.decision, 'attributed');
        assert.equal(far.party, party);
        assert.ok(far.confidence >= 0.99 && Math.abs(far.confidence - normalCdf(5)) < 1e-4);
        assert.equal(far.threshold, 0.99);
      }
    });

  it('takes the covariance along the normal, not its largest axis: an ellipse long along the line is still sharp across it', () => {
    const a = position(donbas, 2); // [39.23, 48.72] → [38.8, 48.7]: runs west, nearly along a parallel
    const b = position(donbas, 3);
    const p = offsetFromSegment(a, b, 0.5, -1000); // 1 km south: ua (right of a line running west)
    const long = attribute(donbas, { ...p, covariance: [3000 ** 2, 0, 300 ** 2] });
    assert.equal(long.party, 'ua');
    const across = attribute(donbas, { ...p, covariance: [300 ** 2, 0, 3000 ** 2] });
    assert.equal(across.decision, 'undetermined');
  });
});

describe('attribute near a bend', () => {
  it('chooses the side inside a sharp bend where the straight chord across it points the other way', () => {
    // paris-2026: the line runs south-east to [38.15, 48.85], then turns 72° to the south-west.
    const before = position(paris, 4);
    const vertex = position(paris, 5);
    const after = position(paris, 6);
    assert.deepEqual(vertex, [38.15, 48.85]);
    // A point inside the bend (west of the vertex, ua), between the vertex and the chord before→after.
    const chordMid = [(before[0] + after[0]) / 2, (before[1] + after[1]) / 2] as const;
    const origin = {
      lon: vertex[0] + 0.3 * (chordMid[0] - vertex[0]),
      lat: vertex[1] + 0.3 * (chordMid[1] - vertex[1]),
    };
    // A straight line through the ends of the bend would put it on the east (ru): the chord runs south,
    // and the point lies east of it — on the chord's left.
    const cross =
      (after[0] - before[0]) * (origin.lat - before[1]) - (after[1] - before[1]) * (origin.lon - before[0]);
    assert.ok(cross > 0, 'the point lies left of (east of) the chord');
    assert.equal(sideOf(paris, origin.lat, origin.lon), 'ua');

    const result = attribute(paris, circular(origin, 1000));
    assert.equal(result.decision, 'attributed');
    assert.equal(result.party, 'ua');
    assert.equal(result.method, 'integrated');
  });

  it('inside the bend, the wedge holds less than a straight line would say: the decision follows the wedge', () => {
    // per-party-lines: alpha's side narrows to a 143° wedge at the bend [38.1, 48.2]. A point on the
    // wedge's bisector, 2.5σ from both legs: one leg alone would give Φ(2.5) = 0.9938 (attributed); the
    // wedge loses the tail beyond the other leg as well (0.9898: undetermined).
    const vertex = { lat: 48.2, lon: 38.1 };
    const sigma = 500;
    const legNorth = (wgs84.Inverse(48.2, 38.1, 48.35, 38.05).azi1 ?? 0) + 360; // 347.5°
    const legSouth = (wgs84.Inverse(48.2, 38.1, 47.9, 37.9).azi1 ?? 0) + 360; // 204.2°
    const bisector = (legNorth + legSouth) / 2;
    const halfAngle = ((legNorth - legSouth) / 2) * (Math.PI / 180);
    const distance = (2.5 * sigma) / Math.sin(halfAngle);
    const origin = stepFrom(vertex.lat, vertex.lon, bisector, distance);
    const result = attribute(fixture, circular(origin, sigma));
    assert.equal(sideOf(fixture, origin.lat, origin.lon), 'alpha');
    assert.ok(normalCdf(2.5) > 0.99);
    assert.equal(result.decision, 'undetermined', JSON.stringify(result));
    const reference = quasiRandomShares(fixture, circular(origin, sigma)).get('alpha') ?? 0;
    assert.ok(Math.abs(result.confidence - reference) < 1e-3, `${result.confidence} vs ${reference}`);
  });
});

describe('attribute beyond the line and at sea', () => {
  it('leaves an origin beyond the line’s end undetermined, most of it in nobody’s side', () => {
    const result = attribute(fixture, circular({ lat: 48.45, lon: 38.02 }, 500));
    assert.equal(result.decision, 'undetermined');
    assert.ok(result.nobodyProbability > 0.99);
    assert.ok(result.confidence < 0.01);
  });

  it('leaves an origin at sea undetermined (Sea of Azov, donbas-2015)', () => {
    const result = attribute(donbas, circular({ lat: 46.9, lon: 37.5 }, 1000));
    assert.equal(result.decision, 'undetermined');
    assert.equal(result.party, null);
    assert.ok(result.nobodyProbability > 0.99);
  });

  it('splits an origin at the line’s end on the coast three ways, as sampling does', () => {
    const end = position(donbas, lineOf(donbas).length - 1);
    const origin = circular({ lat: end[1] + 0.01, lon: end[0] }, 1500);
    const result = attribute(donbas, origin);
    assert.equal(result.decision, 'undetermined');
    const reference = quasiRandomShares(donbas, origin);
    for (const party of ['ua', 'ru-af']) {
      assert.ok((result.probabilities[party] ?? 0) > 0.01);
      assert.ok(Math.abs((result.probabilities[party] ?? 0) - (reference.get(party) ?? 0)) < 2e-3);
    }
    assert.ok(result.nobodyProbability > 0.01);
    assert.ok(Math.abs(result.nobodyProbability - (reference.get(null) ?? 0)) < 2e-3);
    const total = Object.values(result.probabilities).reduce((s, p) => s + p, 0) + result.nobodyProbability;
    assert.ok(Math.abs(total - 1) < 1e-3);
  });
});

describe('attribute: decisions and options', () => {
  it('is not attributable without an origin', () => {
    assert.deepEqual(attribute(donbas, null), {
      decision: 'not-attributable',
      party: null,
      probabilities: {},
      nobodyProbability: 0,
      confidence: 0,
      threshold: 0.99,
      method: 'none',
    });
  });

  it('attributes at a configured threshold, and refuses a threshold that two parties could reach', () => {
    const a = position(donbas, 17);
    const b = position(donbas, 18);
    const origin = circular(offsetFromSegment(a, b, 0.5, -400), 400); // 1σ on ua's side: 0.84
    assert.equal(attribute(donbas, origin).decision, 'undetermined');
    const lenient = attribute(donbas, origin, { threshold: 0.8 });
    assert.equal(lenient.decision, 'attributed');
    assert.equal(lenient.party, 'ua');
    assert.equal(lenient.threshold, 0.8);
    for (const threshold of [0.5, 1.01, Number.NaN])
      assert.throws(
        () => attribute(donbas, origin, { threshold }),
        (error: unknown) =>
          isTrucelineError(error) && error.code === 'E_VALIDATION' && error.issues[0]?.path === 'threshold',
      );
  });

  it('gives every party a probability, summing with nobody’s to 1', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++) {
      const origin = {
        lat: 46.9 + random() * 2,
        lon: 37.3 + random() * 2.5,
        covariance: [(200 + 3000 * random()) ** 2, 0, (200 + 3000 * random()) ** 2] as const,
      };
      const result = attribute(donbas, origin);
      assert.deepEqual(Object.keys(result.probabilities), ['ua', 'ru-af']);
      const values = Object.values(result.probabilities);
      assert.ok(values.every((p) => p >= 0 && p <= 1));
      assert.ok(Math.abs(values.reduce((s, p) => s + p, 0) + result.nobodyProbability - 1) < 1e-3);
      assert.equal(result.confidence, Math.max(...values));
    }
  });

  it('gives the identical answer for the same input, also with the terms parsed again', () => {
    const a = position(paris, 5);
    const origin = circular({ lat: a[1] - 0.01, lon: a[0] - 0.02 }, 1200);
    const first = attribute(paris, origin);
    assert.equal(first.method, 'integrated');
    assert.deepStrictEqual(attribute(paris, origin), first);
    const again = termsOf(shippedText('paris-2026-illustrative'), '2026-06-01T00:00:00Z');
    assert.deepStrictEqual(attribute(again, origin), first);
  });
});

describe('attribute is calibrated', () => {
  it('states, near the line, the share of true origins that fall on each side', () => {
    // Fixed means near the line (a straight stretch, inside and outside a bend, the line's end at the
    // coast); true origins drawn from the stated Gaussian; the share on each side must match the
    // stated probability within sampling error.
    const random = seededRandom(20260301);
    const cases = [
      {
        terms: donbas,
        origin: circular(offsetFromSegment(position(donbas, 17), position(donbas, 18), 0.4, 700), 500),
      },
      {
        terms: donbas,
        origin: {
          ...offsetFromSegment(position(donbas, 9), position(donbas, 10), 0.9, -300),
          covariance: [800 ** 2, 200 ** 2, 400 ** 2] as const,
        },
      },
      { terms: paris, origin: circular(stepFrom(48.85, 38.15, 250, 1500), 1000) },
      { terms: paris, origin: circular(stepFrom(48.85, 38.15, 80, 1500), 1000) },
      { terms: fixture, origin: circular(stepFrom(48.2, 38.1, 270, 1200), 800) },
      { terms: donbas, origin: circular({ lat: 47.09, lon: 37.78 }, 2000) },
    ];
    const count = 4000;
    for (const { terms, origin } of cases) {
      const stated = attribute(terms, origin);
      const drawn = randomShares(terms, origin, count, random);
      for (const [party, p] of [
        ...Object.entries(stated.probabilities),
        [null, stated.nobodyProbability] as const,
      ]) {
        const share = drawn.get(party) ?? 0;
        const tolerance = 4 * Math.sqrt((p * (1 - p)) / count) + 2e-3;
        assert.ok(
          Math.abs(share - p) <= tolerance,
          `${String(party)}: stated ${p}, drawn ${share} at ${JSON.stringify(origin)}`,
        );
      }
    }
  });

  it('is reliable over many events: in each band of stated probability, the share of true origins on the side matches', () => {
    // A reliability table: events at random along the donbas line within 3σ of it, one true origin each.
    const random = seededRandom(99);
    const line = lineOf(donbas);
    const bands = Array.from({ length: 5 }, () => ({ stated: 0, hits: 0, count: 0 }));
    let brier = 0;
    const events = 3000;
    for (let i = 0; i < events; i++) {
      const s = 1 + Math.floor(random() * (line.length - 3));
      const a = line[s];
      const b = line[s + 1];
      assert.ok(a && b);
      const sigma = 300 + 1500 * random();
      const origin = circular(offsetFromSegment(a, b, random(), (random() * 2 - 1) * 3 * sigma), sigma);
      const p = attribute(donbas, origin).probabilities.ua ?? 0;
      const truth = randomShares(donbas, origin, 1, random).get('ua') === 1 ? 1 : 0;
      const band = bands[Math.min(4, Math.floor(p * 5))];
      assert.ok(band);
      band.stated += p;
      band.hits += truth;
      band.count += 1;
      brier += (p - truth) ** 2;
    }
    for (const band of bands) {
      assert.ok(band.count >= 100);
      const stated = band.stated / band.count;
      const observed = band.hits / band.count;
      const tolerance = 4 * Math.sqrt((stated * (1 - stated)) / band.count) + 0.01;
      assert.ok(
        Math.abs(observed - stated) <= tolerance,
        `band: stated ${stated}, observed ${observed}, n ${band.count}`,
      );
    }
    // Brier score of a calibrated forecast: E[p(1 − p)]; with origins within 3σ that is well below 0.25.
    assert.ok(brier / events < 0.15);
  });
});

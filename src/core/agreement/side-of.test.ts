import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import polygonClipping from 'polygon-clipping';
import { fixtureText, geoData, shippedText } from '../../../test/fixtures/agreements/load.ts';
import { containsPoint } from './contains-point.ts';
import { geodesicAreaKm2, wgs84 } from './geodesic.ts';
import { parseAgreement } from './parse-agreement.ts';
import type { AreaGeometry, Position } from './schema.ts';
import { sideOf } from './side-of.ts';
import type { Terms } from './terms.ts';
import { termsInForce } from './terms-in-force.ts';

const termsOf = (text: string, iso = '2026-06-01T00:00:00Z'): Terms => {
  const { agreement } = parseAgreement(text, 'yaml');
  assert.ok(agreement);
  const terms = termsInForce(agreement, Date.parse(iso));
  assert.ok(terms);
  return terms;
};
const fixture = termsOf(fixtureText('per-party-lines.yaml'));
const donbas = termsOf(shippedText('donbas-2015'));
const paris = termsOf(shippedText('paris-2026-illustrative'));

/** The point `metres` to the left (positive) or right of the segment a→b at its fraction t. */
function offset(a: Position, b: Position, t: number, metres: number): { lat: number; lon: number } {
  const line = wgs84.InverseLine(a[1], a[0], b[1], b[0]);
  const at = line.Position(line.s13 * t);
  const moved = wgs84.Direct(
    at.lat2 ?? 0,
    at.lon2 ?? 0,
    (at.azi2 ?? 0) - 90 * Math.sign(metres),
    Math.abs(metres),
  );
  return { lat: moved.lat2 ?? 0, lon: moved.lon2 ?? 0 };
}

describe('sideOf on the fixture', () => {
  const line = fixture.referenceLines[0]?.geometry.coordinates ?? [];

  it('puts points west of the line of contact on alpha, east on bravo', () => {
    assert.equal(sideOf(fixture, 48.0, 37.5), 'alpha');
    assert.equal(sideOf(fixture, 48.0, 38.5), 'bravo');
  });

  it('puts points beyond the line ends, or outside the territory, on nobody', () => {
    assert.equal(sideOf(fixture, 48.45, 38.02), null); // north of the territory, beyond the line's end
    assert.equal(sideOf(fixture, 47.6, 37.98), null); // south of it
    assert.equal(sideOf(fixture, 48.0, 39.5), null);
  });

  it('chooses the right side on both legs of a bend, 200 m from the line (property)', () => {
    // The line runs south through [38.1, 48.2] and [37.9, 47.9]: west (its right) is alpha, east (its left) bravo.
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.double({ min: 0.02, max: 0.98, noNaN: true }),
        (segment, t) => {
          const a = line[segment];
          const b = line[segment + 1];
          if (a === undefined || b === undefined) return false;
          const left = offset(a, b, t, 200);
          const right = offset(a, b, t, -200);
          const inTerritory = (p: { lat: number }) => p.lat > 47.7 && p.lat < 48.35;
          if (!inTerritory(left) || !inTerritory(right)) return true;
          return (
            sideOf(fixture, left.lat, left.lon) === 'bravo' &&
            sideOf(fixture, right.lat, right.lon) === 'alpha'
          );
        },
      ),
    );
  });

  it('gives every point of the territory off the line exactly one side (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 37.0001, max: 38.9999, noNaN: true }),
        fc.double({ min: 47.7001, max: 48.3499, noNaN: true }),
        (lon, lat) => {
          const holders = fixture.sides.filter((side) => containsPoint(side.geometry, lat, lon));
          return holders.length === 1 && sideOf(fixture, lat, lon) === holders[0]?.party;
        },
      ),
    );
  });
});

describe('sideOf on the shipped agreements', () => {
  const places: [name: string, lat: number, lon: number, donbas: string | null, paris: string | null][] = [
    ['Donetsk', 48.0159, 37.8028, 'ru-af', 'ru'],
    ['Luhansk', 48.574, 39.307, 'ru-af', 'ru'],
    ['Kramatorsk', 48.7389, 37.5848, 'ua', 'ua'],
    ['Mariupol', 47.0971, 37.5434, 'ua', 'ru'],
    ['Melitopol', 46.8489, 35.3675, 'ua', 'ru'],
    ['Zaporizhzhia', 47.8388, 35.1396, 'ua', 'ua'],
    ['Kyiv', 50.4501, 30.5234, 'ua', 'ua'],
    ['Simferopol', 44.9521, 34.1024, null, 'ru'],
    ['the Sea of Azov', 46.3, 36.8, null, null],
    ['the Black Sea', 44.0, 32.0, null, null],
    ['Rostov-on-Don, beyond the line end', 47.2357, 39.7015, null, null],
    ['Belgorod, beyond the line end', 50.5997, 36.5983, null, null],
  ];
  for (const [name, lat, lon, inDonbas, inParis] of places)
    it(`puts ${name} on ${String(inDonbas)} under donbas-2015 and ${String(inParis)} under paris-2026`, () => {
      assert.equal(sideOf(donbas, lat, lon), inDonbas);
      assert.equal(sideOf(paris, lat, lon), inParis);
    });

  it("splits the land without overlap, and the sides' areas add up to the admin-1 units they are made of", () => {
    const collection = geoData('ukraine-admin1.geojson') as {
      features: { properties: { iso_3166_2: string }; geometry: AreaGeometry }[];
    };
    type Geom = Parameters<typeof polygonClipping.union>[0];
    for (const terms of [donbas, paris]) {
      const units = collection.features
        .filter((feature) => terms.areaOfApplication.admin1?.includes(feature.properties.iso_3166_2))
        .map((feature) => feature.geometry.coordinates as Geom);
      assert.equal(units.length, terms.areaOfApplication.admin1?.length);
      const [first, ...rest] = units;
      assert.ok(first);
      const whole = geodesicAreaKm2(polygonClipping.union(first, ...rest));
      const [a, b] = terms.sides.map((side) => side.geometry.coordinates as Geom);
      assert.ok(a && b);
      assert.ok(geodesicAreaKm2(polygonClipping.intersection(a, b)) < 0.01);
      const sum = geodesicAreaKm2([a, b].flatMap((g) => polygonClipping.union(g)));
      // The sides are simplified to about 200 m, so the areas agree to a fraction of a per cent.
      assert.ok(Math.abs(sum - whole) / whole < 0.002, `${terms.agreementId}: ${sum} km² of ${whole} km²`);
    }
  });
});

describe('containsPoint', () => {
  const square: AreaGeometry = {
    type: 'Polygon',
    coordinates: [
      [
        [30, 50],
        [31, 50],
        [31, 51],
        [30, 51],
        [30, 50],
      ],
      [
        [30.4, 50.4],
        [30.4, 50.6],
        [30.6, 50.6],
        [30.6, 50.4],
        [30.4, 50.4],
      ],
    ],
  };
  it('leaves out holes, and everything outside the outline', () => {
    assert.equal(containsPoint(square, 50.2, 30.2), true);
    assert.equal(containsPoint(square, 50.5, 30.5), false);
    assert.equal(containsPoint(square, 52, 30.5), false);
    assert.equal(containsPoint(square, 50.5, 29.9), false);
  });

  it('agrees with a plain even-odd test over every edge (property)', () => {
    const ring = donbas.sides.find((side) => side.party === 'ru-af')?.geometry;
    assert.ok(ring);
    const rings = ring.type === 'Polygon' ? [ring.coordinates] : ring.coordinates;
    const plain = (lat: number, lon: number): boolean => {
      let inside = false;
      for (const polygon of rings)
        for (const r of polygon)
          for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
            const p = r[i];
            const q = r[j];
            if (
              p &&
              q &&
              p[1] > lat !== q[1] > lat &&
              lon < ((q[0] - p[0]) * (lat - p[1])) / (q[1] - p[1]) + p[0]
            )
              inside = !inside;
          }
      return inside;
    };
    fc.assert(
      fc.property(
        fc.double({ min: 37, max: 40.5, noNaN: true }),
        fc.double({ min: 46.8, max: 49, noNaN: true }),
        (lon, lat) => containsPoint(ring, lat, lon) === plain(lat, lon),
      ),
      { numRuns: 2000 },
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { wgs84 } from '../agreement/geodesic.ts';
import { LocalFrame, rotateCovariance, surfaceDistanceM } from './local-frame.ts';

const RAD = Math.PI / 180;
const reference = fc.record({
  lat: fc.double({ min: -75, max: 75, noNaN: true }),
  lon: fc.double({ min: -180, max: 180, noNaN: true }),
});
const offset = fc.record({
  azimuth: fc.double({ min: 0, max: 360, noNaN: true }),
  distance: fc.double({ min: 0, max: 60_000, noNaN: true }),
});

describe('LocalFrame', () => {
  it('keeps the geodesic distance and azimuth from the reference to millimetres over ±60 km', () => {
    fc.assert(
      fc.property(reference, offset, (ref, { azimuth, distance }) => {
        const target = wgs84.Direct(ref.lat, ref.lon, azimuth, distance);
        const p = new LocalFrame(ref.lat, ref.lon).toLocal(target.lat2 ?? NaN, target.lon2 ?? NaN);
        const expectedEast = distance * Math.sin(azimuth * RAD);
        const expectedNorth = distance * Math.cos(azimuth * RAD);
        assert.ok(Math.hypot(p.east - expectedEast, p.north - expectedNorth) < 0.01, JSON.stringify(p));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips local → geographic → local and geographic → local → geographic to under a centimetre', () => {
    fc.assert(
      fc.property(
        reference,
        fc.double({ min: -60_000, max: 60_000, noNaN: true }),
        fc.double({ min: -60_000, max: 60_000, noNaN: true }),
        (ref, east, north) => {
          const frame = new LocalFrame(ref.lat, ref.lon);
          const geo = frame.toGeo(east, north);
          const back = frame.toLocal(geo.lat, geo.lon);
          assert.ok(Math.hypot(back.east - east, back.north - north) < 0.01);
          const again = frame.toGeo(back.east, back.north);
          assert.ok((wgs84.Inverse(geo.lat, geo.lon, again.lat, again.lon).s12 ?? Infinity) < 0.01);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('works across the antimeridian', () => {
    const frame = new LocalFrame(10, 179.9);
    const p = frame.toLocal(10, -179.9);
    assert.ok(Math.abs(p.east - (wgs84.Inverse(10, 179.9, 10, -179.9).s12 ?? 0)) < 0.05, JSON.stringify(p));
    assert.ok(Math.abs(frame.toGeo(p.east, p.north).lon - -179.9) < 1e-9);
  });

  it('centres a frame on the mean of points, across the antimeridian too', () => {
    const frame = LocalFrame.around([
      { lat: 1, lon: 179.5 },
      { lat: 3, lon: -179.5 },
    ]);
    assert.ok(Math.abs(frame.lat0 - 2) < 1e-12);
    assert.ok(Math.abs(Math.abs(frame.lon0) - 180) < 1e-9);
  });

  it('turns a covariance into the frame and back unchanged, and follows the meridian convergence', () => {
    const frame = new LocalFrame(48, 37.8);
    const point = { ...frame.toGeo(50_000, 20_000), covariance: [400, 120, 100] as const };
    const local = frame.toLocalGaussian(point);
    const gamma = frame.convergence(point.lat, point.lon);
    // East of the reference in the northern hemisphere, true north leans west of the frame's north
    // (towards the pole on the reference's meridian), by about Δlon · sin lat.
    const expected = -((point.lon - 37.8) * RAD) * Math.sin(point.lat * RAD);
    assert.ok(Math.abs(gamma - expected) < 2e-4, `${gamma} vs ${expected}`);
    assert.notDeepEqual(local.covariance, point.covariance);
    const back = frame.toGaussianPoint(local.east, local.north, local.covariance);
    for (let k = 0; k < 3; k++)
      assert.ok(Math.abs((back.covariance[k] ?? 0) - (point.covariance[k] ?? 0)) < 1e-9);
    assert.ok((wgs84.Inverse(back.lat, back.lon, point.lat, point.lon).s12 ?? Infinity) < 1e-6);
  });

  it('rotates a covariance so that its trace and determinant are kept', () => {
    const c = [9, 2, 4] as const;
    const r = rotateCovariance(c, 0.7);
    assert.ok(Math.abs(r[0] + r[2] - 13) < 1e-12);
    assert.ok(Math.abs(r[0] * r[2] - r[1] * r[1] - (36 - 4)) < 1e-9);
    // A quarter turn swaps the axes and flips the correlation.
    const q = rotateCovariance(c, Math.PI / 2);
    assert.ok(Math.abs(q[0] - 4) < 1e-12 && Math.abs(q[1] + 2) < 1e-12 && Math.abs(q[2] - 9) < 1e-12);
  });

  it('gives surface distances within a centimetre of the geodesic up to 100 km', () => {
    fc.assert(
      fc.property(
        reference,
        fc.double({ min: 0, max: 360, noNaN: true }),
        fc.double({ min: 0, max: 100_000, noNaN: true }),
        (ref, az, s) => {
          const t = wgs84.Direct(ref.lat, ref.lon, az, s);
          assert.ok(Math.abs(surfaceDistanceM(ref.lat, ref.lon, t.lat2 ?? NaN, t.lon2 ?? NaN) - s) < 0.01);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a reference it cannot represent', () => {
    assert.throws(() => new LocalFrame(90, 0), /lat0/);
    assert.throws(() => new LocalFrame(Number.NaN, 0), /lat0/);
    assert.throws(() => new LocalFrame(0, Infinity), /lon0/);
    assert.throws(() => LocalFrame.around([]), /at least one/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fixtureText, shippedText } from '../../../test/fixtures/agreements/load.ts';
import { isTrucelineError } from '../errors.ts';
import { agreementVersions } from './agreement-versions.ts';
import { parseAgreement } from './parse-agreement.ts';
import type { Agreement } from './schema.ts';
import { getTermsInForce, termsInForce } from './terms-in-force.ts';

const load = (text: string): Agreement => {
  const { agreement, issues } = parseAgreement(text, 'yaml');
  assert.deepEqual(issues, []);
  assert.ok(agreement);
  return agreement;
};
const fixture = load(fixtureText('per-party-lines.yaml'));
const donbas = load(shippedText('donbas-2015'));
const at = (iso: string): number => Date.parse(iso);
const zoneIds = (agreement: Agreement, iso: string): string[] =>
  termsInForce(agreement, at(iso))?.zones.map((zone) => zone.id) ?? [];

describe('termsInForce', () => {
  it('has no terms before the agreement takes effect, and the base terms from that instant', () => {
    assert.equal(termsInForce(fixture, at('2026-02-28T21:59:59.999Z')), undefined);
    const base = termsInForce(fixture, at('2026-02-28T22:00:00Z'));
    assert.equal(base?.version, 'per-party-lines@1');
    assert.equal(base.amendmentId, null);
    assert.equal(base.versionNumber, 1);
  });

  it('applies an amendment from its effective time on (at or before T), not before', () => {
    assert.equal(termsInForce(fixture, at('2026-03-31T20:59:59.999Z'))?.version, 'per-party-lines@1');
    const amended = termsInForce(fixture, at('2026-03-31T21:00:00Z'));
    assert.equal(amended?.version, 'per-party-lines@2');
    assert.equal(amended.amendmentId, 'mortars');
    assert.equal(termsInForce(fixture, at('2030-01-01T00:00:00Z'))?.version, 'per-party-lines@3');
  });

  it('adds new items at the end, replaces items in place, and carries the rest over unchanged', () => {
    const v1 = termsInForce(fixture, at('2026-03-15T00:00:00Z'));
    const v2 = termsInForce(fixture, at('2026-04-15T00:00:00Z'));
    const v3 = termsInForce(fixture, at('2026-05-15T00:00:00Z'));
    assert.deepEqual(
      v1?.zones.map((zone) => zone.id),
      ['buffer', 'artillery-withdrawal', 'mlrs-withdrawal', 'da-centre'],
    );
    assert.deepEqual(
      v2?.zones.map((zone) => zone.id),
      [...(v1?.zones.map((zone) => zone.id) ?? []), 'mortar-withdrawal'],
    );
    assert.deepEqual(
      v2.weaponClasses.map((c) => c.id),
      ['artillery-100mm-plus', 'mlrs', 'mortars-up-to-120mm'],
    );
    const bufferKm = (version: typeof v3): number | undefined => {
      const zone = version?.zones.find((z) => z.id === 'buffer');
      return zone?.kind === 'buffer' ? zone.distanceKm : undefined;
    };
    assert.equal(bufferKm(v2), 2);
    assert.equal(bufferKm(v3), 3);
    assert.equal(v3?.zones[0]?.id, 'buffer');
    assert.equal(v3.commission.replyWindowHours, 48);
    assert.equal(v2.commission.replyWindowHours, 72);
    // Items no amendment touches are carried over as they are.
    assert.equal(v3.sides[0], v1.sides[0]);
    assert.deepEqual(v3.referenceLines, v1.referenceLines);
  });

  it('removes items', () => {
    const removing: Agreement = {
      ...fixture,
      amendments: [
        ...fixture.amendments,
        {
          id: 'no-da',
          title: 'The disengagement area is dissolved',
          effectiveAt: '2026-06-01T00:00:00Z',
          changes: {
            zones: { remove: ['da-centre'] },
            prohibitedConduct: {
              replace: [
                {
                  id: 'presence-in-buffer',
                  label: 'Forces in the buffer zone',
                  eventKinds: ['troop-presence'],
                  zones: ['buffer'],
                },
              ],
            },
          },
        },
      ],
    };
    assert.deepEqual(parseAgreement(JSON.stringify(removing), 'json').issues, []);
    assert.ok(zoneIds(removing, '2026-05-31T00:00:00Z').includes('da-centre'));
    assert.ok(!zoneIds(removing, '2026-06-01T00:00:00Z').includes('da-centre'));
  });

  it('chains the versions: each ends where the next begins', () => {
    const versions = agreementVersions(donbas);
    assert.deepEqual(
      versions.map((v) => v.version),
      ['donbas-2015@1', 'donbas-2015@2', 'donbas-2015@3', 'donbas-2015@4'],
    );
    versions.forEach((version, i) =>
      assert.equal(version.effectiveUntilMs, versions[i + 1]?.effectiveFromMs ?? null),
    );
  });

  it('cites the Minsk II version before the Addendum, and the later versions after', () => {
    const before = termsInForce(donbas, at('2015-06-01T12:00:00Z'));
    assert.equal(before?.version, 'donbas-2015@1');
    assert.ok(!before.zones.some((zone) => zone.id === 'withdrawal-15km'));
    const after = termsInForce(donbas, at('2015-10-01T12:00:00Z'));
    assert.equal(after?.version, 'donbas-2015@2');
    assert.ok(after.zones.some((zone) => zone.id === 'withdrawal-15km'));
    assert.equal(
      termsInForce(donbas, at('2016-10-01T12:00:00Z'))?.zones.filter((z) => z.kind === 'disengagement-area')
        .length,
      3,
    );
  });

  it('is the base version plus one per amendment in force, for any time (property)', () => {
    const starts = agreementVersions(donbas).map((version) => version.effectiveFromMs);
    const first = starts[0] ?? 0;
    fc.assert(
      fc.property(fc.integer({ min: first - 1e11, max: first + 2e11 }), (t) => {
        const terms = termsInForce(donbas, t);
        if (t < first) return terms === undefined;
        const inForce = starts.filter((start) => start <= t).length;
        return (
          terms?.versionNumber === inForce &&
          terms.effectiveFromMs <= t &&
          (terms.effectiveUntilMs ?? Infinity) > t
        );
      }),
    );
  });

  it('answers undefined for a time that is not a number', () => {
    assert.equal(termsInForce(fixture, Number.NaN), undefined);
  });
});

describe('getTermsInForce', () => {
  it('throws E_NO_TERMS_IN_FORCE before the agreement takes effect', () => {
    assert.throws(
      () => getTermsInForce(donbas, at('2014-01-01T00:00:00Z')),
      (error) =>
        isTrucelineError(error) && error.code === 'E_NO_TERMS_IN_FORCE' && /2014-01-01/.test(error.message),
    );
    assert.equal(getTermsInForce(donbas, at('2021-01-01T00:00:00Z')).version, 'donbas-2015@4');
  });
});

describe('agreementVersions', () => {
  it('refuses an agreement whose amendments cannot be applied', () => {
    const broken: Agreement = {
      ...fixture,
      amendments: [
        {
          id: 'x',
          title: 'Removes what is not there',
          effectiveAt: '2026-04-01T00:00:00Z',
          changes: { zones: { remove: ['nowhere'] } },
        },
      ],
    };
    assert.throws(
      () => agreementVersions(broken),
      (error) =>
        isTrucelineError(error) &&
        error.code === 'E_AGREEMENT_INVALID' &&
        error.issues[0]?.path === 'amendments[0].changes.zones.remove[0]',
    );
  });

  it('builds the versions once per agreement', () => {
    assert.equal(agreementVersions(fixture), agreementVersions(fixture));
  });
});

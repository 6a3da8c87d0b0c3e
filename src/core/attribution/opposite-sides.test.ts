import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shippedText } from '../../../test/fixtures/agreements/load.ts';
import { getTermsInForce, parseAgreement, type Terms } from '../agreement/index.ts';
import { normalCdf } from './normal.ts';
import { oppositeSides } from './opposite-sides.ts';
import { circular, offsetFromSegment } from './test-support.ts';

const termsOf = (text: string, iso: string): Terms => {
  const { agreement } = parseAgreement(text, 'yaml');
  assert.ok(agreement);
  return getTermsInForce(agreement, Date.parse(iso));
};
const donbas = termsOf(shippedText('donbas-2015'), '2020-01-01T00:00:00Z');
const line = donbas.referenceLines[0]?.geometry.coordinates ?? [];
const [a, b] = [line[17], line[18]];
assert.ok(a && b);
/** `metres` east (positive: ru-af) or west (negative: ua) of a straight stretch of the donbas line. */
const across = (metres: number, sigma: number) => circular(offsetFromSegment(a, b, 0.5, metres), sigma);

describe('oppositeSides', () => {
  it('says fire from one side landing on the other crossed the line', () => {
    const result = oppositeSides(donbas, { origin: across(-3000, 300), impact: across(8000, 500) });
    assert.equal(result.verdict, 'opposite');
    assert.ok(result.oppositeProbability > 0.999);
    assert.ok(result.sameProbability < 1e-3);
  });

  it('says fire landing on its own side did not', () => {
    const result = oppositeSides(donbas, { origin: across(5000, 300), impact: across(9000, 300) });
    assert.equal(result.verdict, 'same');
  });

  it('leaves it undetermined when the origin is near the line, with the product of the two answers', () => {
    const result = oppositeSides(donbas, { origin: across(-300, 300), impact: across(8000, 300) });
    assert.equal(result.verdict, 'undetermined');
    // The impact is surely on ru-af's side; the origin is on ua's with Φ(1).
    assert.ok(Math.abs(result.oppositeProbability - normalCdf(1)) < 2e-3);
    assert.ok(Math.abs(result.sameProbability - normalCdf(-1)) < 2e-3);
  });

  it('does not count an impact at sea as across the line', () => {
    const result = oppositeSides(donbas, {
      origin: across(-3000, 300),
      impact: circular({ lat: 46.9, lon: 37.5 }, 300),
    });
    assert.equal(result.verdict, 'undetermined');
    assert.ok(result.oppositeProbability < 1e-3 && result.sameProbability < 1e-3);
  });

  it('does not apply without both an origin and an impact; honours the threshold', () => {
    assert.equal(oppositeSides(donbas, { origin: null, impact: across(100, 10) }).verdict, 'not-applicable');
    assert.equal(oppositeSides(donbas, { origin: across(100, 10), impact: null }).verdict, 'not-applicable');
    const event = { origin: across(-300, 300), impact: across(8000, 300) };
    assert.equal(oppositeSides(donbas, event, { threshold: 0.8 }).verdict, 'opposite');
  });
});

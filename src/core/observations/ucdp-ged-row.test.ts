import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validCopier } from '../validation/valid-copy.ts';
import { observationSchema } from './schema.ts';
import { ucdpGedRowToObservation } from './ucdp-ged-row.ts';

const row = (over: Record<string, string> = {}) => ({
  id: '147997',
  date_start: '2014-05-02 00:00:00.000',
  date_end: '2014-05-04 00:00:00.000',
  latitude: '48.0',
  longitude: '37.8',
  where_prec: '3',
  adm_1: 'Donetsk oblast',
  dyad_name: 'Government of Ukraine - DPR',
  best: '5',
  low: '4',
  high: '7',
  source_headline: 'Shelling',
  ...over,
});

test('time is the middle of the days the row spans, uncertain by half the span', () => {
  const out = ucdpGedRowToObservation(row());
  assert.ok('value' in out);
  const value = out.value as { observedAt: string; timeUncertaintyMs: number; location: { ceM: number } };
  assert.equal(value.observedAt, '2014-05-03T12:00:00.000Z');
  assert.equal(value.timeUncertaintyMs, 1.5 * 24 * 3600 * 1000);
  assert.equal(value.location.ceM, 50_000);
});

test('where_prec maps to a circular error that is never zero', () => {
  const ce = (p: string) => {
    const out = ucdpGedRowToObservation(row({ where_prec: p }));
    return 'value' in out ? (out.value as { location: { ceM: number } }).location.ceM : undefined;
  };
  assert.deepEqual(['1', '2', '3', '4', '5'].map(ce), [1_000, 25_000, 50_000, 150_000, 150_000]);
});

test('country-level and international-waters rows are rejected as too imprecise', () => {
  for (const p of ['6', '7']) {
    const out = ucdpGedRowToObservation(row({ where_prec: p }));
    assert.ok('issues' in out);
    assert.equal(out.issues[0]?.path, 'where_prec');
    assert.match(out.issues[0]?.reason ?? '', /too imprecise/);
  }
});

test('bad dates and coordinates name the column', () => {
  const out = ucdpGedRowToObservation(row({ date_start: 'yesterday', latitude: '' }));
  assert.ok('issues' in out);
  assert.deepEqual(
    out.issues.map((i) => i.path),
    ['date_start', 'latitude'],
  );
});

test('a date that does not exist and a coordinate that is not decimal are issues, not rolled over or read as hex', () => {
  for (const [over, path] of [
    [{ date_start: '2015-02-30' }, 'date_start'],
    [{ date_end: '2015-13-01 00:00:00.000' }, 'date_end'],
    [{ latitude: '0x10' }, 'latitude'],
    [{ longitude: 'Infinity' }, 'longitude'],
  ] as const) {
    const out = ucdpGedRowToObservation(row(over));
    assert.ok('issues' in out, JSON.stringify(over));
    assert.deepEqual(
      out.issues.map((i) => i.path),
      [path],
    );
  }
  const signed = ucdpGedRowToObservation(row({ latitude: '+48.5', longitude: '-3.75e1' }));
  assert.ok('value' in signed);
  assert.deepEqual((signed.value as { location: unknown }).location, { lat: 48.5, lon: -37.5, ceM: 50_000 });
});

test('blank death counts are left out, so the record is plain JSON that validation takes as it is', () => {
  const out = ucdpGedRowToObservation(row({ best: '3', low: '', high: ' ' }));
  assert.ok('value' in out);
  const value = out.value as { payload: { deaths: Record<string, unknown> } };
  assert.deepEqual(Object.keys(value.payload.deaths), ['best']);
  assert.notEqual(validCopier(observationSchema)(value), undefined);
});

test('a death count that is not a whole number is an issue naming its column, not dropped', () => {
  const out = ucdpGedRowToObservation(row({ best: 'many', low: '-1', high: '2.5' }));
  assert.ok('issues' in out);
  assert.deepEqual(
    out.issues.map((i) => i.path),
    ['best', 'low', 'high'],
  );
  assert.match(out.issues[0]?.reason ?? '', /whole number/);
  const ok = ucdpGedRowToObservation(row({ best: ' 12 ', low: '3.0', high: '' }));
  assert.ok('value' in ok);
  assert.deepEqual((ok.value as { payload: { deaths: unknown } }).payload.deaths, { best: 12, low: 3 });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrucelineError } from '../errors.ts';
import { formatInZone } from './format-in-zone.ts';

describe('formatInZone', () => {
  it('shows a UTC instant in the agreement’s zone with the offset in force then', () => {
    assert.equal(
      formatInZone(Date.parse('2026-06-04T12:00:00Z'), 'Europe/Kyiv'),
      '2026-06-04 15:00 Europe/Kyiv (UTC+03:00)',
    );
    assert.equal(
      formatInZone(Date.parse('2026-01-15T23:30:00Z'), 'Europe/Kyiv'),
      '2026-01-16 01:30 Europe/Kyiv (UTC+02:00)',
    );
    assert.equal(formatInZone(Date.parse('2026-06-04T12:00:00Z'), 'UTC'), '2026-06-04 12:00 UTC (UTC+00:00)');
    assert.equal(
      formatInZone(Date.parse('2026-06-04T12:00:00Z'), 'Asia/Kolkata'),
      '2026-06-04 17:30 Asia/Kolkata (UTC+05:30)',
    );
    assert.equal(
      formatInZone(Date.parse('2026-06-04T12:00:00Z'), 'America/St_Johns'),
      '2026-06-04 09:30 America/St_Johns (UTC-02:30)',
    );
  });

  it('refuses an unknown zone', () => {
    assert.throws(
      () => formatInZone(0, 'Mars/Olympus'),
      (error: unknown) => isTrucelineError(error) && error.code === 'E_VALIDATION',
    );
  });
});

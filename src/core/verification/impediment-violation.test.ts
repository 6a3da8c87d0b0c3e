import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProhibitedConduct } from '../agreement/schema.ts';
import type { Impediment } from './impediment.ts';
import { validateImpediment } from './impediment.ts';
import { IMPEDIMENT_CLAUSE, impedimentViolation } from './impediment-violation.ts';

const AT = Date.parse('2026-06-01T09:30:00Z');

const impediment = (fields: Partial<Impediment> = {}): Impediment => ({
  id: 'imp-1',
  kind: 'denied',
  at: AT,
  location: { lat: 48.1, lon: 37.8 },
  party: 'bravo',
  sourceRef: 'obs:1207',
  description: 'Patrol turned back at the checkpoint north of the village.',
  delayMinutes: null,
  ...fields,
});

const conduct = (id: string, fields: Partial<ProhibitedConduct> = {}): ProhibitedConduct => ({
  id,
  label: id,
  eventKinds: ['impediment'],
  ...fields,
});

const terms = (prohibitedConduct: readonly ProhibitedConduct[]) => ({
  version: 'paris@1',
  prohibitedConduct,
});

describe('validateImpediment', () => {
  it('accepts a delay with its minutes and fills absent fields with null', () => {
    const result = validateImpediment({
      id: 'imp-2',
      kind: 'delayed',
      at: AT,
      sourceRef: 'task:t-2',
      description: 'Held 95 minutes at the bridge.',
      delayMinutes: 95,
    });
    assert.ok(result.ok);
    assert.equal(result.impediment.delayMinutes, 95);
    assert.equal(result.impediment.location, null);
    assert.equal(result.impediment.party, null);
  });

  it('names every field at fault', () => {
    const result = validateImpediment({
      id: 'imp-3',
      kind: 'delayed',
      at: -5,
      location: { lat: 95, lon: 37 },
      sourceRef: 'x',
      description: '',
      colour: 'red',
    });
    assert.ok(!result.ok);
    const paths = result.issues.map((issue) => issue.path).sort();
    assert.deepEqual(paths, ['at', 'colour', 'delayMinutes', 'description', 'location.lat']);
  });

  it('requires the minutes of a delay and refuses them for any other kind', () => {
    const base = { id: 'i', at: AT, sourceRef: 's', description: 'd' };
    const noMinutes = validateImpediment({ ...base, kind: 'delayed' });
    assert.ok(!noMinutes.ok);
    assert.deepEqual(noMinutes.issues, [{ path: 'delayMinutes', reason: 'is required for a delay' }]);
    const extra = validateImpediment({ ...base, kind: 'jamming', delayMinutes: 5 });
    assert.ok(!extra.ok);
    assert.deepEqual(extra.issues, [{ path: 'delayMinutes', reason: 'is given only for a delay' }]);
  });
});

describe('impedimentViolation', () => {
  it('cites the conduct of the terms that applies to impediments anywhere', () => {
    const found = impedimentViolation(
      impediment(),
      terms([
        conduct('fire', { eventKinds: ['explosion'] }),
        conduct('zoned', { zones: ['buffer'] }),
        conduct('impeding-monitors'),
      ]),
    );
    assert.equal(found.clause, 'impeding-monitors');
    assert.equal(found.id, 'impediment:imp-1#impeding-monitors');
    assert.equal(found.agreementVersion, 'paris@1');
    assert.equal(found.party, 'bravo');
    assert.equal(found.zoneId, null);
    assert.equal(found.severity, 'standard');
    assert.match(
      found.explanation,
      /^Access was denied to the monitors on 2026-06-01T09:30:00.000Z, by bravo/,
    );
  });

  it('falls back to the fixed clause when the terms name none', () => {
    const found = impedimentViolation(
      impediment({ party: null }),
      terms([conduct('fire', { eventKinds: ['explosion'] })]),
    );
    assert.equal(found.clause, IMPEDIMENT_CLAUSE);
    assert.match(found.explanation, /a party not determined/);
    assert.match(found.explanation, /name no conduct for impediments/);
  });

  it('grades fire at the monitors and a destroyed sensor higher, and says how long a delay was', () => {
    const t = terms([conduct('impeding-monitors')]);
    assert.equal(impedimentViolation(impediment({ kind: 'fire-at-monitors' }), t).severity, 'higher');
    assert.equal(impedimentViolation(impediment({ kind: 'sensor-destroyed' }), t).severity, 'higher');
    const delayed = impedimentViolation(impediment({ kind: 'delayed', delayMinutes: 95 }), t);
    assert.equal(delayed.severity, 'standard');
    assert.equal(delayed.delayMinutes, 95);
    assert.match(delayed.explanation, /delayed for 95 minutes/);
  });
});

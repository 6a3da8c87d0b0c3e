import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mayRepeatKeys, repeatedKeyPaths } from './duplicate-keys.ts';

test('JSON whose keys are each given once is never taken for JSON that repeats one, however it is spaced', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
      const text = JSON.stringify(value, null, indent);
      // The cheap check looks no further than a text without escapes; the scan finds nothing.
      if (!text.includes('\\')) assert.equal(mayRepeatKeys(text, JSON.parse(text)), false, text);
      assert.deepEqual(repeatedKeyPaths(text), []);
    }),
    { numRuns: 2_000 },
  );
});

test('a key given again anywhere is found at its path', () => {
  fc.assert(
    fc.property(
      fc.dictionary(fc.string(), fc.jsonValue(), { minKeys: 1 }),
      fc.array(fc.string({ minLength: 1 }), { maxLength: 3 }),
      (record, nest) => {
        const [key] = Object.keys(record);
        assert.ok(key !== undefined);
        // The record's first key given once more, at the end, inside `nest` levels of objects.
        const inner = `${JSON.stringify(record).slice(0, -1)}${Object.keys(record).length > 0 ? ',' : ''}${JSON.stringify(key)}:0}`;
        const text = nest.reduceRight((body, name) => `{${JSON.stringify(name)}:${body}}`, inner);
        const value: unknown = JSON.parse(text);
        assert.equal(mayRepeatKeys(text, value), true, text);
        assert.deepEqual(repeatedKeyPaths(text), [[...nest, key]]);
      },
    ),
    { numRuns: 1_000 },
  );
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { observationJsonSchema } from '../../src/core/observations/observation-json-schema.ts';

test('docs/schemas/observation.schema.json is generated from the current zod schema (run `npm run schemas`)', () => {
  const committed = JSON.parse(
    readFileSync(new URL('../../docs/schemas/observation.schema.json', import.meta.url), 'utf8'),
  ) as unknown;
  assert.deepEqual(committed, observationJsonSchema());
});

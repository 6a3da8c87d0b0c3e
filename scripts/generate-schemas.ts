// Writes docs/schemas/*.schema.json from the zod schemas (a test checks they are up to date).
import { writeFileSync } from 'node:fs';
import { observationJsonSchema } from '../src/core/observations/observation-json-schema.ts';

const target = new URL('../docs/schemas/observation.schema.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(observationJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${target.pathname}\n`);

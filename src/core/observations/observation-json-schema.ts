/** @module The observation format as JSON Schema (draft 2020-12), generated from the zod schema. */
import { z } from 'zod';
import { observationSchema } from './schema.ts';

export function observationJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://truceline.org/schemas/observation.schema.json',
    title: 'Truceline observation',
    description:
      'One record of any kind, as sent to POST /api/v1/observations (a JSON array or NDJSON) or `truceline ingest`. Generated from src/core/observations/schema.ts by `npm run schemas`.',
    ...z.toJSONSchema(observationSchema, { io: 'input', unrepresentable: 'any' }),
  };
}

/** @module The wire form of a source registration, validated with zod. */
import { z } from 'zod';
import { TLP_LEVELS } from '../access/markings.ts';
import { ORG_ID_PATTERN, ORG_KINDS } from '../access/organisations.ts';
import { identifier, latitude, longitude } from '../observations/schema.ts';
import { SOURCE_KINDS } from './source.ts';

/** An organisation id, or `@kind` for every organisation of a kind. */
const releasableTo = z
  .string()
  .refine(
    (entry) =>
      entry.startsWith('@')
        ? (ORG_KINDS as readonly string[]).includes(entry.slice(1))
        : ORG_ID_PATTERN.test(entry),
    { error: `must be an organisation id or @ and one of ${ORG_KINDS.join(', ')}` },
  );

/** Who may receive the source's description (default `DEFAULT_MARKINGS.source`). */
export const markingSchema = z.strictObject({
  tlp: z.enum(TLP_LEVELS),
  releasableTo: z.array(releasableTo).min(1).max(50),
});

export const sourceRegistrationSchema = z.strictObject({
  id: identifier,
  kind: z.enum(SOURCE_KINDS),
  organisation: identifier,
  name: z.string().min(1).max(200).optional(),
  position: z
    .strictObject({ lat: latitude, lon: longitude, altitudeM: z.number().min(-500).max(10_000).optional() })
    .optional(),
  orientationDeg: z.number().min(0).lt(360).optional(),
  capabilities: z.record(z.string().max(64), z.unknown()).optional(),
  marking: markingSchema.optional(),
});
export type SourceRegistration = z.infer<typeof sourceRegistrationSchema>;

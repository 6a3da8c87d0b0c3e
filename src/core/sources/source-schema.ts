/** @module The wire form of a source registration, validated with zod. */
import { z } from 'zod';
import { identifier, latitude, longitude } from '../observations/schema.ts';
import { SOURCE_KINDS } from './source.ts';

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
});
export type SourceRegistration = z.infer<typeof sourceRegistrationSchema>;

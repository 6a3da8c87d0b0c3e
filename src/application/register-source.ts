/** @module Use case: register a source (or update its description); its keys are kept. */
import { validationError } from '../core/errors.ts';
import { sourceRegistrationSchema } from '../core/sources/source-schema.ts';
import type { Source } from '../core/sources/source.ts';
import { fieldIssues } from '../core/validation/field-issues.ts';
import type { AppDeps } from './app-deps.ts';

/** Validates and stores one source registration; returns the stored source. */
export async function registerSource(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  input: unknown,
): Promise<Source> {
  const parsed = sourceRegistrationSchema.safeParse(input);
  if (!parsed.success) throw validationError('the source registration is invalid', fieldIssues(parsed.error));
  const existing = await deps.store.sources.find(parsed.data.id);
  const registration = parsed.data;
  const source: Source = {
    id: registration.id,
    kind: registration.kind,
    organisation: registration.organisation,
    name: registration.name ?? registration.id,
    position: registration.position ?? null,
    orientationDeg: registration.orientationDeg ?? null,
    capabilities: registration.capabilities ?? {},
    keys: existing?.keys ?? [],
    registeredAtMs: existing?.registeredAtMs ?? deps.clock.now(),
  };
  await deps.store.sources.upsert(source);
  return source;
}

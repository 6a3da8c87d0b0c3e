/**
 * @module Use case: register a source (or update its description); its keys are kept, and so is its
 * marking unless the registration gives one.
 */
import { DEFAULT_MARKINGS } from '../core/access/markings.ts';
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
    // A re-registration that says nothing of the marking must not widen who may read the source.
    marking: registration.marking ?? existing?.marking ?? DEFAULT_MARKINGS.source,
  };
  await deps.store.sources.upsert(source);
  return source;
}

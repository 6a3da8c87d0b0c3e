/** @module Use case: create an organisation (the chair, a coalition member; parties come from agreements). */
import {
  ORG_ID_PATTERN,
  ORG_KINDS,
  type Organisation,
  type OrgKind,
} from '../../core/access/organisations.ts';
import { validationError } from '../../core/errors.ts';
import type { AppDeps } from '../app-deps.ts';

export interface CreateOrganisationInput {
  readonly id: string;
  readonly kind: string;
  /** Defaults to the id. */
  readonly name?: string;
}

/** Creates the organisation, or finds it as it is; `E_CONFLICT` if the id exists with another kind. */
export async function createOrganisation(
  deps: Pick<AppDeps, 'store' | 'clock'>,
  input: CreateOrganisationInput,
): Promise<{ outcome: 'created' | 'exists'; organisation: Organisation }> {
  if (!ORG_ID_PATTERN.test(input.id))
    throw validationError('the organisation is invalid', [
      {
        path: 'id',
        reason: 'must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit',
      },
    ]);
  if (!(ORG_KINDS as readonly string[]).includes(input.kind) || input.kind === 'public')
    throw validationError('the organisation is invalid', [
      { path: 'kind', reason: `must be one of ${ORG_KINDS.filter((k) => k !== 'public').join(', ')}` },
    ]);
  const name = input.name ?? input.id;
  if (name.length === 0 || name.length > 200)
    throw validationError('the organisation is invalid', [
      { path: 'name', reason: 'must be 1–200 characters' },
    ]);
  const organisation: Organisation = {
    id: input.id,
    kind: input.kind as OrgKind,
    name,
    createdAtMs: deps.clock.now(),
  };
  const outcome = await deps.store.access.ensureOrganisation(organisation);
  return { outcome, organisation: (await deps.store.access.findOrganisation(input.id)) ?? organisation };
}

/** The mission's and the public's organisations, which every store has. */
export async function ensureBuiltinOrganisations(deps: Pick<AppDeps, 'store' | 'clock'>): Promise<void> {
  const now = deps.clock.now();
  await deps.store.access.ensureOrganisation({
    id: 'mission',
    kind: 'mission',
    name: 'Monitoring mission',
    createdAtMs: now,
  });
  await deps.store.access.ensureOrganisation({
    id: 'public',
    kind: 'public',
    name: 'The public',
    createdAtMs: now,
  });
}

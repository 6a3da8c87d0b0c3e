/** @module Use case: validate an agreement document and register it (a changed document becomes a new revision). */
import { parseAgreement } from '../core/agreement/parse-agreement.ts';
import { DEFAULT_MARKINGS } from '../core/access/markings.ts';
import { TrucelineError } from '../core/errors.ts';
import { canonicalJson } from '../core/observations/canonical-json.ts';
import type { AgreementRecord } from '../core/ports/agreement-store.ts';
import type { AppDeps } from './app-deps.ts';

export interface RegisterAgreementInput {
  /** The document's text. */
  readonly text: string;
  readonly format: 'yaml' | 'json';
}

/** Registers the agreement; throws `E_AGREEMENT_INVALID` listing every problem. */
export async function registerAgreement(
  deps: Pick<AppDeps, 'store' | 'clock' | 'sha256'>,
  input: RegisterAgreementInput,
): Promise<{ outcome: 'created' | 'revised' | 'unchanged'; record: AgreementRecord }> {
  const { agreement, issues } = parseAgreement(input.text, input.format);
  if (agreement === undefined || issues.length > 0) {
    throw new TrucelineError('E_AGREEMENT_INVALID', `the agreement has ${issues.length} problem(s)`, {
      issues,
    });
  }
  const documentJson = canonicalJson(agreement);
  // Each party is an organisation whose id is the party's id (its liaisons' accounts belong to it).
  const now = deps.clock.now();
  for (const party of agreement.parties) {
    await deps.store.access.ensureOrganisation({
      id: party.id,
      kind: 'party',
      name: party.names.en,
      createdAtMs: now,
    });
    // Each party's complaints come from a source of kind `complaint` under the party's id, keyed with
    // `truceline sources keygen --source <party id>`; its complaints go back to the party itself.
    if ((await deps.store.sources.find(party.id)) === undefined)
      await deps.store.sources.upsert({
        id: party.id,
        kind: 'complaint',
        organisation: party.id,
        name: `Complaints of ${party.names.en}`,
        position: null,
        orientationDeg: null,
        capabilities: {},
        keys: [],
        registeredAtMs: now,
        marking: DEFAULT_MARKINGS.source,
      });
  }
  return deps.store.agreements.register({
    id: agreement.id,
    documentJson,
    contentSha256: deps.sha256(documentJson),
    registeredAtMs: deps.clock.now(),
  });
}

/**
 * @module A party's complaints: a signed batch of records of kind `complaint`, sent with the party
 * liaison's token and signed with the party's complaint key (the source under the party's id). Each
 * stored complaint is an observation; it then gets a verification item of its own — opened by the
 * system, linked to the events near it in time and space — and goes through the same verification
 * as a potential violation.
 */
import type { Complaint } from '../../core/verification/complaint.ts';
import { SYSTEM_ACTOR } from '../../core/verification/actor.ts';
import { openVerification } from '../../core/verification/decide-verification.ts';
import {
  COMPLAINT_LINK_WINDOW_MS,
  linkComplaint,
  type ComplaintLink,
} from '../../core/verification/link-complaint.ts';
import type { OpenVerification } from '../../core/verification/verification-action.ts';
import { TrucelineError, validationError, type FieldIssue } from '../../core/errors.ts';
import { isNotJson, rawRecordsOf, type RawRecord } from '../../core/observations/raw-record.ts';
import type { StoredObservation } from '../../core/ports/observation-store.ts';
import type { AppDeps } from '../app-deps.ts';
import { recordSignedBatch, type SignatureWindow, type SignedBatchInput } from '../record-signed-batch.ts';
import type { IngestReport } from '../record-observations.ts';
import { itemIdOf } from './act-on-verification.ts';

/** The opening step of a complaint's item: it carries the complaint and the events it was linked to. */
export interface OpenComplaint extends OpenVerification {
  readonly complaint: Complaint;
  readonly links: readonly ComplaintLink[];
}

/** The complaint an observation of kind `complaint` states. */
export function complaintOf(observation: StoredObservation): Complaint {
  const record = JSON.parse(observation.content) as {
    payload: {
      complainant: string;
      accused?: string;
      allegation: string;
      summary?: string;
      evidence?: string[];
    };
  };
  const { payload } = record;
  return {
    id: String(observation.seq),
    complainant: payload.complainant,
    accused: payload.accused ?? '',
    what: { eventKind: null, clause: payload.allegation },
    where:
      observation.lat === null || observation.lon === null
        ? null
        : { lat: observation.lat, lon: observation.lon },
    when: observation.observedAtMs,
    evidence: payload.evidence ?? [],
    description: payload.summary ?? '',
  };
}

/**
 * The records of a body, for the checks made before its signature is even verified: split as
 * validation splits them (runs of blank lines skipped at once). A record that is not JSON refuses the
 * body; one that is JSON but not taken as it stands (bytes not UTF-8, a key given twice) is left to
 * validation, which rejects it on its own.
 */
function recordsOf(body: Uint8Array, format: 'json' | 'ndjson'): unknown[] {
  const notJson = new TrucelineError('E_BAD_REQUEST', 'the body is not JSON (or NDJSON)');
  let raws: readonly RawRecord[];
  try {
    raws = rawRecordsOf(
      format === 'json' ? { format, text: body } : { format, text: body, firstPosition: 0 },
    );
  } catch {
    throw notJson;
  }
  const values: unknown[] = [];
  for (const raw of raws) {
    if (!('issues' in raw)) values.push(raw.value);
    else if (isNotJson(raw)) throw notJson;
  }
  return values;
}

/** Records a party's signed complaints, then opens and links their verification items. */
export async function lodgeComplaints(
  deps: AppDeps,
  input: SignedBatchInput & { readonly party: string },
  window?: SignatureWindow,
): Promise<IngestReport & { readonly items: readonly string[] }> {
  const records = recordsOf(input.body, input.format);
  const issues: FieldIssue[] = [];
  records.forEach((record, i) => {
    const r = (typeof record === 'object' && record !== null ? record : {}) as Record<string, unknown>;
    if (r.kind !== 'complaint')
      issues.push({ path: `[${i}].kind`, reason: 'must be "complaint" on this route' });
    if (r.sourceId !== input.party)
      issues.push({
        path: `[${i}].sourceId`,
        reason: `must be your party's complaint source, ${JSON.stringify(input.party)}`,
      });
    const complainant = (r.payload as { complainant?: unknown } | undefined)?.complainant;
    if (complainant !== undefined && complainant !== input.party)
      issues.push({
        path: `[${i}].payload.complainant`,
        reason: `must be your party, ${JSON.stringify(input.party)}: a party complains in its own name`,
      });
  });
  if (issues.length > 0) throw validationError('the complaints are invalid', issues);
  const report = await recordSignedBatch(deps, input, window);
  const items: string[] = [];
  for (const record of records) {
    const observation = await deps.store.observations.findByRecordId(
      input.party,
      String((record as { id?: unknown }).id),
    );
    if (observation?.kind !== 'complaint') continue;
    const id = itemIdOf('complaint', String(observation.seq));
    items.push(id);
    if ((await deps.store.verification.find(id)) !== undefined) continue;
    const complaint = complaintOf(observation);
    const events = await deps.store.fusion.listEvents({
      fromMs: complaint.when - COMPLAINT_LINK_WINDOW_MS,
      toMs: complaint.when + COMPLAINT_LINK_WINDOW_MS,
      limit: 1000,
    });
    const links = linkComplaint(
      complaint,
      events.map(({ event }) => ({
        id: event.id,
        type: event.type,
        timeMs: event.timeMs,
        location: event.location === null ? null : { lat: event.location.lat, lon: event.location.lon },
        status: event.status,
      })),
    );
    const at = deps.clock.now();
    const action: OpenComplaint = {
      type: 'open',
      itemId: id,
      subject: { kind: 'complaint', id: String(observation.seq) },
      complaint,
      links,
      at,
      by: SYSTEM_ACTOR,
    };
    const item = openVerification(action);
    await deps.store.verification
      .append({
        id,
        fromVersion: 0,
        actions: [action],
        state: item,
        head: {
          state: item.state,
          subjectKind: 'complaint',
          subjectId: String(observation.seq),
          updatedAtMs: at,
        },
      })
      .catch((error: unknown) => {
        // Another request opened it first: the complaint has its item either way.
        if (!(error instanceof TrucelineError && error.code === 'E_STALE_VERSION')) throw error;
      });
  }
  return { ...report, items };
}

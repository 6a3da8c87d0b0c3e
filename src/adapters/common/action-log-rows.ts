/** @module What the action-log stores share: their tables, their errors and the checks of a listing. */
import { TrucelineError, validationError, type FieldIssue } from '../../core/errors.ts';
import type { ListQuery } from '../../core/ports/action-log-store.ts';

/** The two tables of one action log, and its ledger record type. */
export interface ActionLogTables {
  /** For messages: `verification item`, `case`. */
  readonly what: string;
  readonly actions: 'verification_actions' | 'case_actions';
  readonly heads: 'verification_items' | 'cases';
  readonly idColumn: 'item_id' | 'case_id';
  readonly type: 'verification-step' | 'case-action';
  /** The notices raised about the log's items (`claimNotice`): operational, not ledgered. */
  readonly notices: 'verification_notices' | 'case_notices';
}

export const VERIFICATION_TABLES: ActionLogTables = {
  what: 'verification item',
  actions: 'verification_actions',
  heads: 'verification_items',
  idColumn: 'item_id',
  type: 'verification-step',
  notices: 'verification_notices',
};

export const CASE_TABLES: ActionLogTables = {
  what: 'case',
  actions: 'case_actions',
  heads: 'cases',
  idColumn: 'case_id',
  type: 'case-action',
  notices: 'case_notices',
};

export const actionLogErrors = {
  /** Another request recorded first: the caller decided on a version that is no longer current. */
  stale: (what: string, id: string, current: number | null): TrucelineError =>
    new TrucelineError(
      'E_STALE_VERSION',
      `the ${what} ${JSON.stringify(id)} changed since the version acted on${current === null ? '' : ` (it is at version ${current})`}`,
      { details: current === null ? { id } : { id, version: current } },
    ),
};

/** The most items one listing returns. */
export const MAX_LIST = 1000;

/** Throws `E_VALIDATION` naming each bad field of a listing. */
export function checkedListQuery(query: ListQuery): ListQuery {
  const issues: FieldIssue[] = [];
  if (!Number.isSafeInteger(query.limit) || query.limit < 0 || query.limit > MAX_LIST)
    issues.push({ path: 'limit', reason: `must be a whole number from 0 to ${MAX_LIST}` });
  if (query.afterSeq !== undefined && (!Number.isSafeInteger(query.afterSeq) || query.afterSeq < 0))
    issues.push({ path: 'afterSeq', reason: 'must be a whole number, 0 or more' });
  if (issues.length > 0) throw validationError('the listing is invalid', issues);
  return query;
}

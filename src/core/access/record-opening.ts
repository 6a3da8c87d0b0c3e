/**
 * @module Which ledgered records an organisation may open in a ledger export. An opened record is the
 * exact text committed — it cannot be redacted without breaking its commitment — so it is opened only
 * to an organisation that may read the whole of it: its marking must release it, and the reader's
 * view (policy.ts) must show every field of it. Everything else stays a commitment, which still
 * verifies.
 */
import { releasableTo, type Marking } from './markings.ts';
import type { OrgKind } from './organisations.ts';
import { viewOfKind, type View } from './policy.ts';

/** The organisation an export is for. */
export interface Opener {
  readonly id: string;
  readonly kind: OrgKind;
}

/**
 * Record types every organisation may open: the rules themselves (agreement versions and the access
 * policy's), who takes part (organisations), and what the Commission publishes is decided per record
 * by its marking.
 */
const OPEN_TO_ALL: ReadonlySet<string> = new Set(['agreement', 'access-policy', 'organisation']);

/**
 * Record types only the mission may open: raw submissions and rejected input (they name sources and
 * their positions), and accounts.
 */
const MISSION_ONLY: ReadonlySet<string> = new Set(['submission', 'quarantine', 'user']);

/** Whether a view shows a record of `type` whole, without redacting any field. */
function wholeIn(view: View, type: string): boolean {
  switch (type) {
    case 'observation':
      // Observations carry observers' identities and sensors' positions.
      return view.sensorDetails && view.observerIdentity && view.location === 'exact';
    case 'source':
      return view.sensorDetails;
    case 'event-revision':
    case 'violation-revision':
      return view.provenance === 'full' && view.location === 'exact';
    default:
      return view.location === 'exact';
  }
}

/**
 * Whether `org` may open a record of `type` marked `marking` (null for types without a marking).
 * Unknown types stay closed.
 */
export function mayOpenRecord(org: Opener, type: string, marking: Marking | null): boolean {
  if (OPEN_TO_ALL.has(type)) return true;
  if (MISSION_ONLY.has(type)) return org.kind === 'mission';
  if (marking === null) return org.kind === 'mission';
  return releasableTo(marking, org.id, org.kind) && wholeIn(viewOfKind(org.kind), type);
}

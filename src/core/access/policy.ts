/**
 * @module The access policy: the one place that decides who may do what and see which fields. The
 * REST API, the live stream, exports and reports ask it; presenters only apply its answer.
 *
 * A reader is a {@link Principal}: the public (no credentials), a user through a token or a web
 * session, or a source through a signed submission. Route permissions are {@link Action}s, each
 * granted to roles and needing a token scope; record-level access is the record's marking
 * (markings.ts); field-level access is the {@link View}.
 */
import type { Marking } from './markings.ts';
import { DEFAULT_MARKINGS, releasableTo } from './markings.ts';
import type { OrgKind, Role, Scope } from './organisations.ts';
import { ORG_KINDS, PUBLIC_ORG, ROLE_ORG_KINDS, ROLES } from './organisations.ts';

/** Who is asking. */
export type Principal =
  | { readonly type: 'public' }
  | {
      readonly type: 'user';
      readonly userId: string;
      readonly userName: string;
      readonly role: Role;
      readonly orgId: string;
      readonly orgKind: OrgKind;
      /** Scopes of the token; a web session has every scope its role allows. */
      readonly scopes: readonly Scope[];
      readonly via: 'token' | 'session';
      /** The token's id (for rate limits and the record of reads), or the session's. */
      readonly credentialId: string;
    }
  | {
      readonly type: 'source';
      readonly sourceId: string;
      readonly keyId: string;
      readonly orgId: string;
      readonly orgKind: OrgKind;
    };

export const PUBLIC_PRINCIPAL: Principal = { type: 'public' };

/** The organisation a principal reads as. */
export function readerOrg(principal: Principal): { readonly id: string; readonly kind: OrgKind } {
  return principal.type === 'public'
    ? { id: PUBLIC_ORG, kind: 'public' }
    : { id: principal.orgId, kind: principal.orgKind };
}

/** What a route does, as the policy sees it. Every route declares one. */
export const ACTIONS = [
  /** Health, the OpenAPI document, the API docs, the login pages. */
  'public',
  /** The live stream: open to everyone, filtered per reader. */
  'stream',
  /** Who am I. */
  'session',
  'observations:read',
  /** A source's signed batch (authenticated by its signature, not a token). */
  'observations:submit',
  'sources:read',
  'sources:register',
  'agreements:read',
  'events:read',
  'violations:read',
  /** The ledger's tree, checkpoints and proofs (public), and the records a reader may open. */
  'ledger:read',
  /** The access policy in force, on the record (public: the rules of access are no secret). */
  'access-policy:read',
  /** A witness's co-signature of a checkpoint. */
  'ledger:cosign',
  /** Verification items: their state, tasks and findings. */
  'verification:read',
  /** A step of verification: triage, tasking, a task's result, a finding, its approval or return. */
  'verification:act',
  /** A monitor's report of an impediment (access denied or delayed, jamming, fire at monitors…). */
  'impediments:report',
  /** A party's complaint (with its liaison's token, signed by the party's complaint key). */
  'complaints:submit',
  'attachments:read',
  'attachments:write',
  'cases:read',
  /** Opening a case of the Special Commission. */
  'cases:open',
  /** A case action: notification, reply, extension, comment, proposal, vote, ruling, publication… */
  'cases:act',
] as const;
export type Action = (typeof ACTIONS)[number];

const MISSION_READERS: readonly Role[] = ['monitor', 'analyst', 'verifier', 'auditor', 'admin'];
const COALITION_READERS: readonly Role[] = ['commissioner', 'chair', 'coordinator'];
const EVERY_ROLE: readonly Role[] = [...MISSION_READERS, ...COALITION_READERS, 'party-liaison'];

/** Per action: the roles granted it, and the token scope it needs (`null`: no user needed). */
const GRANTS: Readonly<
  Record<Action, { readonly roles: readonly Role[] | 'anyone'; readonly scope: Scope | null }>
> = {
  public: { roles: 'anyone', scope: null },
  stream: { roles: 'anyone', scope: null },
  session: { roles: EVERY_ROLE, scope: 'read' },
  // Parties read only what is released to them (their own submissions): the marking decides.
  'observations:read': { roles: EVERY_ROLE, scope: 'read' },
  'observations:submit': { roles: 'anyone', scope: null },
  'sources:read': { roles: EVERY_ROLE, scope: 'read' },
  'sources:register': { roles: ['admin'], scope: 'admin' },
  'agreements:read': { roles: EVERY_ROLE, scope: 'read' },
  'events:read': { roles: EVERY_ROLE, scope: 'read' },
  'violations:read': { roles: EVERY_ROLE, scope: 'read' },
  // The tree can be published whole: leaves reveal nothing, records open per reader.
  'ledger:read': { roles: 'anyone', scope: null },
  'access-policy:read': { roles: 'anyone', scope: null },
  // Witnesses are run by the parties, the Commission's members and the mission's auditors.
  'ledger:cosign': {
    roles: ['auditor', 'party-liaison', 'commissioner', 'chair', 'coordinator', 'admin'],
    scope: 'ingest',
  },
  // The mission verifies; the coalition follows. The core decides which role takes which step.
  'verification:read': { roles: [...MISSION_READERS, ...COALITION_READERS], scope: 'read' },
  'verification:act': { roles: ['monitor', 'analyst', 'verifier'], scope: 'act' },
  'impediments:report': { roles: ['monitor', 'analyst', 'verifier'], scope: 'act' },
  'complaints:submit': { roles: ['party-liaison'], scope: 'ingest' },
  // An attachment's marking decides who reads it.
  'attachments:read': { roles: EVERY_ROLE, scope: 'read' },
  'attachments:write': {
    roles: ['monitor', 'analyst', 'verifier', 'party-liaison', 'commissioner', 'chair'],
    scope: 'act',
  },
  // Parties see the cases they are party to.
  'cases:read': { roles: EVERY_ROLE, scope: 'read' },
  'cases:open': { roles: ['chair'], scope: 'act' },
  'cases:act': { roles: ['chair', 'commissioner', 'party-liaison'], scope: 'act' },
};

/** The outcome of asking: allowed, or denied because nobody is signed in, or because this one may not. */
export type Decision = 'allow' | 'unauthenticated' | 'forbidden';

/** May `principal` perform `action`? */
export function decide(principal: Principal, action: Action): Decision {
  const grant = GRANTS[action];
  if (grant.roles === 'anyone') return 'allow';
  if (principal.type !== 'user') return 'unauthenticated';
  if (!grant.roles.includes(principal.role)) return 'forbidden';
  if (grant.scope !== null && !principal.scopes.includes(grant.scope)) return 'forbidden';
  return 'allow';
}

/** The scopes a role may be given on a token. */
export function scopesForRole(role: Role): readonly Scope[] {
  return role === 'admin' ? ['read', 'ingest', 'act', 'admin'] : ['read', 'ingest', 'act'];
}

/** May `principal` receive a record so marked? */
export function mayRead(principal: Principal, marking: Marking): boolean {
  const org = readerOrg(principal);
  return releasableTo(marking, org.id, org.kind);
}

/** Which fields of a record a reader sees (the record itself it may read: see {@link mayRead}). */
export interface View {
  /** Sources' positions, orientations, capabilities and keys. */
  readonly sensorDetails: boolean;
  /** An event's provenance: every contributing observation, or only counts by source kind. */
  readonly provenance: 'full' | 'counts';
  /** Who the observers were (patrol members, the source ids of patrol and camera reports). */
  readonly observerIdentity: boolean;
  /** Locations as measured, or coarsened to {@link COARSE_DEGREES} with no uncertainty ellipse. */
  readonly location: 'exact' | 'coarse';
}

/** Public locations are rounded to this many degrees (about 11 km of latitude). */
export const COARSE_DEGREES = 0.1;

export function viewFor(principal: Principal): View {
  return viewOfKind(readerOrg(principal).kind);
}

/** The view of every reader of an organisation of this kind. */
export function viewOfKind(kind: OrgKind): View {
  switch (kind) {
    case 'mission':
      return { sensorDetails: true, provenance: 'full', observerIdentity: true, location: 'exact' };
    case 'chair':
    case 'member':
      return { sensorDetails: true, provenance: 'full', observerIdentity: false, location: 'exact' };
    case 'party':
      return { sensorDetails: false, provenance: 'counts', observerIdentity: false, location: 'exact' };
    case 'public':
      return { sensorDetails: false, provenance: 'counts', observerIdentity: false, location: 'coarse' };
  }
}

/** A coordinate rounded for the public. */
export const coarsen = (degrees: number): number => Math.round(degrees / COARSE_DEGREES) * COARSE_DEGREES;

/** Reads of these actions are recorded (who read what, when): they return sensitive records. */
export const RECORDED_READS: readonly Action[] = ['observations:read', 'sources:read'];

/**
 * The whole policy as data: who may take each action, the scopes a role may hold, the kinds of
 * organisation a role may be held in, which fields each kind of organisation sees, how coarse the
 * public's locations are, which reads are recorded, and each record type's default marking. The
 * server ledgers it (as an `access-policy` record) whenever it starts with a policy that differs from
 * the last one recorded, so a change of the rules is on the record like any other.
 */
export function policyDocument(): Readonly<Record<string, unknown>> {
  return {
    grants: Object.fromEntries(ACTIONS.map((action) => [action, GRANTS[action]])),
    scopesByRole: Object.fromEntries(ROLES.map((role) => [role, scopesForRole(role)])),
    orgKindsByRole: ROLE_ORG_KINDS,
    viewsByOrgKind: Object.fromEntries(ORG_KINDS.map((kind) => [kind, viewOfKind(kind)])),
    coarseDegrees: COARSE_DEGREES,
    recordedReads: RECORDED_READS,
    defaultMarkings: DEFAULT_MARKINGS,
  };
}

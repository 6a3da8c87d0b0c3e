/**
 * @module Organisations and roles: who may hold an account, and in which kind of organisation.
 * Each party of a registered agreement is an organisation whose id is the party's id; the monitoring
 * mission's id is `mission`, the public's `public`; the chair and coalition members are created by an
 * operator (`truceline orgs create`).
 */

/** Kinds of organisation. `public` is whoever comes without a token. */
export const ORG_KINDS = ['chair', 'member', 'party', 'mission', 'public'] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const MISSION_ORG = 'mission';
export const PUBLIC_ORG = 'public';

export interface Organisation {
  readonly id: string;
  readonly kind: OrgKind;
  readonly name: string;
  readonly createdAtMs: number;
}

/** Role ids, as the CLI and the API spell them. */
export const ROLES = [
  'monitor',
  'analyst',
  'verifier',
  'commissioner',
  'chair',
  'coordinator',
  'party-liaison',
  'auditor',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** The kinds of organisation a role can be held in. Nobody holds an account of the public. */
export const ROLE_ORG_KINDS: Readonly<Record<Role, readonly OrgKind[]>> = {
  monitor: ['mission'],
  analyst: ['mission'],
  verifier: ['mission'],
  commissioner: ['chair', 'member', 'party'],
  chair: ['chair'],
  coordinator: ['chair', 'member'],
  'party-liaison': ['party'],
  auditor: ['mission', 'chair', 'member', 'party'],
  admin: ['mission'],
};

/** Why `role` cannot be held in an organisation of `kind`, or `undefined` when it can. */
export function roleProblem(role: Role, kind: OrgKind): string | undefined {
  const kinds = ROLE_ORG_KINDS[role];
  return kinds.includes(kind)
    ? undefined
    : `role ${role} is held only in organisations of kind ${kinds.join(' or ')}, not ${kind}`;
}

/** Token scopes: `read` for GET routes, `ingest` for ingest and complaints, `act` for verification and case actions, `admin` for administration. */
export const SCOPES = ['read', 'ingest', 'act', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** Organisation ids: like source ids — letters, digits, `.`, `_`, `-`; 1–64 characters. */
export const ORG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** User names: 1–64 characters of letters, digits, `.`, `_`, `-`, `@`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

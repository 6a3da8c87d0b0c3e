/**
 * @module Markings: every record carries a Traffic Light Protocol 2.0 level and a releasability
 * list — the organisations it may go to, by id, or by kind as `@party`, `@member`, `@chair`,
 * `@mission`. The access policy (policy.ts) reads them; nothing else decides who may read a record.
 */
import type { OrgKind } from './organisations.ts';
import { MISSION_ORG } from './organisations.ts';

/** TLP 2.0, from least to most restricted. */
export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'AMBER+STRICT', 'RED'] as const;
export type Tlp = (typeof TLP_LEVELS)[number];

export interface Marking {
  readonly tlp: Tlp;
  /** Organisation ids, or `@kind` for every organisation of a kind. */
  readonly releasableTo: readonly string[];
}

/** The organisations of the coalition and the mission: who sees the monitoring data itself. */
const COALITION = [MISSION_ORG, '@chair', '@member'] as const;

/**
 * Defaults, by record type:
 * - observations: `AMBER` to the mission and coalition (sensor data reveals the sensors); a party's own
 *   submissions (its complaints) also go back to that party;
 * - events: `CLEAR` — what happened where may be published (locations are coarsened for the public);
 * - potential violations: `GREEN` — the mission, the coalition and the parties, not the public until a
 *   ruling is published;
 * - sources: `AMBER` — a party sees only each source's id, kind and organisation (the policy redacts).
 */
export const DEFAULT_MARKINGS = {
  observation: { tlp: 'AMBER', releasableTo: COALITION },
  event: { tlp: 'CLEAR', releasableTo: [...COALITION, '@party', '@public'] },
  violation: { tlp: 'GREEN', releasableTo: [...COALITION, '@party'] },
  source: { tlp: 'AMBER', releasableTo: [...COALITION, '@party'] },
} as const satisfies Record<string, Marking>;

/** The marking of an observation from a source owned by `organisation` (of kind `kind`). */
export function observationMarking(organisation: string, kind: OrgKind | undefined): Marking {
  const base = DEFAULT_MARKINGS.observation;
  return kind === 'party' || kind === 'member'
    ? { tlp: base.tlp, releasableTo: [...base.releasableTo, organisation] }
    : base;
}

/** Whether a reader of organisation `orgId` (of kind `orgKind`) may receive a record so marked. */
export function releasableTo(marking: Marking, orgId: string, orgKind: OrgKind): boolean {
  switch (marking.tlp) {
    case 'CLEAR':
      return true;
    case 'GREEN':
    case 'AMBER':
      return (
        orgKind !== 'public' &&
        (marking.releasableTo.includes(orgId) || marking.releasableTo.includes(`@${orgKind}`))
      );
    case 'AMBER+STRICT':
    case 'RED':
      // Only organisations named one by one.
      return orgKind !== 'public' && marking.releasableTo.includes(orgId);
  }
}

/** Parses a stored marking (`tlp`, and the list as JSON text). */
export function markingFrom(tlp: string, releasableToJson: string): Marking {
  return {
    tlp: (TLP_LEVELS as readonly string[]).includes(tlp) ? (tlp as Tlp) : 'RED',
    releasableTo: JSON.parse(releasableToJson) as string[],
  };
}

/**
 * @module Small factories for the Commission's tests: settings with five coalition members and one
 * representative of each party, a three-step ladder, a substantiated violation by `bravo`, the actors,
 * one valid action of each type, and a case brought to any state.
 */
import type { CommissionSettings, EscalationStep } from '../agreement/schema.ts';
import type { Actor } from '../verification/actor.ts';
import type { CaseStep, OpenCase } from './case-action.ts';
import type { CaseViolation, CommissionCase } from './commission-case.ts';
import { decideCase, openCase } from './decide-case.ts';
import type { CaseActionType, CaseState, VoteChoice } from './kinds.ts';

export const T0 = Date.parse('2026-06-01T08:00:00Z');
export const HOUR = 3_600_000;
export const HASH = 'c'.repeat(64);
/** `T0` plus `hours`. */
export const at = (hours: number): number => T0 + hours * HOUR;

export const settings = (fields: Partial<CommissionSettings> = {}): CommissionSettings => ({
  members: [
    { id: 'us', name: 'United States (chair)' },
    { id: 'fr', name: 'France' },
    { id: 'uk', name: 'United Kingdom' },
    { id: 'de', name: 'Germany' },
    { id: 'rep-alpha', name: 'Representative of Alpha', party: 'alpha' },
    { id: 'rep-bravo', name: 'Representative of Bravo', party: 'bravo' },
  ],
  chair: 'us',
  decisionRule: 'majority',
  quorum: 3,
  chairCastingVote: true,
  recuseParties: true,
  countAbstentions: false,
  replyWindowHours: 72,
  ...fields,
});

export const ladder: readonly EscalationStep[] = [
  { id: 'coordination', label: 'Coordination mechanism', deadlineHours: 48 },
  { id: 'discipline', label: 'Discipline and notification', deadlineHours: 72 },
  { id: 'guarantees', label: 'Guarantee activation', deadlineHours: 168 },
];

export const violation = (fields: Partial<CaseViolation> = {}): CaseViolation => ({
  id: 'ev-7#heavy-weapons@lim-15',
  clause: 'heavy-weapons',
  party: 'bravo',
  weaponClass: 'artillery-100',
  zoneId: 'lim-15',
  timeMs: at(-48),
  outcome: 'substantiated',
  ...fields,
});

export const chair: Actor = { userId: 'chair-1', orgId: 'us', role: 'chair' };
/** A commissioner of member organisation `orgId`. */
export const commissioner = (orgId: string): Actor => ({ userId: `c-${orgId}`, orgId, role: 'commissioner' });
/** A party's liaison officer. */
export const liaison = (party: string): Actor => ({
  userId: `l-${party}`,
  orgId: party,
  role: 'party-liaison',
});

export const openAction = (fields: Partial<OpenCase> = {}): OpenCase => ({
  type: 'open',
  at: T0,
  by: chair,
  caseId: 'case-1',
  violations: [violation()],
  accused: ['bravo'],
  agreementVersion: 'paris@1',
  timeZone: 'Europe/Kyiv',
  settings: settings(),
  ladder,
  ...fields,
});

/** A valid action of each type at `hours` after T0, by an actor allowed to take it. */
export function action(type: Exclude<CaseActionType, 'open'>, hours: number): CaseStep {
  const when = at(hours);
  switch (type) {
    case 'notify':
      return { type, at: when, by: chair, party: 'bravo' };
    case 'reply':
      return { type, at: when, by: liaison('bravo'), text: 'Our units were not there.', evidence: [HASH] };
    case 'extend':
      return {
        type,
        at: when,
        by: chair,
        target: { kind: 'reply', party: 'bravo' },
        deadlineMs: at(500),
        reason: 'asked',
      };
    case 'comment':
      return { type, at: when, by: commissioner('fr'), text: 'The crater analysis is convincing.' };
    case 'propose-ruling':
      return {
        type,
        at: when,
        by: commissioner('fr'),
        responsibility: { kind: 'one-party', parties: ['bravo'] },
        severity: 'serious',
        remedies: [
          {
            kind: 'withdraw-weapon-class',
            weaponClass: 'artillery-100',
            zoneId: 'lim-15',
            party: 'bravo',
            withinHours: 48,
            description: 'Withdraw artillery of 100 mm and above from the 15 km limitation zone.',
          },
        ],
        reasoning: 'Radar and patrol agree on the origin, 9 km behind bravo’s line.',
      };
    case 'vote':
      return { type, at: when, by: commissioner('fr'), proposalId: 'p1', choice: 'for' };
    case 'rule':
      return { type, at: when, by: chair, proposalId: 'p1' };
    case 'publish':
      return { type, at: when, by: chair };
    case 'remedy-met':
      return {
        type,
        at: when,
        by: chair,
        remedyId: 'p1.r1',
        note: 'Withdrawal verified by drone.',
        evidence: [],
      };
    case 'advance-escalation':
      return { type, at: when, by: chair };
    case 'close':
      return { type, at: when, by: chair, reason: 'corrected' };
    case 'reopen':
      return {
        type,
        at: when,
        by: chair,
        violation: violation({ id: 'ev-99#heavy-weapons@lim-15', timeMs: at(70) }),
        reason: 'the guns are back',
      };
  }
}

/** Takes each step on the version it just read. */
export function run(start: CommissionCase, ...steps: CaseStep[]): CommissionCase {
  let current = start;
  for (const step of steps) current = decideCase(current, step, current.version);
  return current;
}

/** A vote by member `orgId` (the chair votes as `us`). */
export const vote = (orgId: string, choice: VoteChoice, hours: number, dissent?: string): CaseStep => ({
  type: 'vote',
  at: at(hours),
  by: orgId === 'us' ? chair : commissioner(orgId),
  proposalId: 'p1',
  choice,
  ...(dissent === undefined ? {} : { dissent }),
});

/** The case notified, replied to and with the ruling before the members (T0 + 11 h). */
export const voting = (): CommissionCase =>
  run(openCase(openAction()), action('notify', 1), action('reply', 10), action('propose-ruling', 11));

/** A case in `state`: ruled at T0 + 12 h (remedy p1.r1 due at T0 + 60 h), published at T0 + 13 h. */
export function caseIn(state: CaseState): CommissionCase {
  const ruled = () =>
    run(voting(), vote('fr', 'for', 11), vote('uk', 'for', 11), vote('us', 'for', 11), action('rule', 12));
  switch (state) {
    case 'open':
      return openCase(openAction());
    case 'deliberating':
      return run(openCase(openAction()), action('notify', 1));
    case 'voting':
      return voting();
    case 'ruled':
      return ruled();
    case 'published':
      return run(ruled(), action('publish', 13));
    case 'closed':
      return run(ruled(), action('publish', 13), action('remedy-met', 40), action('close', 41));
  }
}

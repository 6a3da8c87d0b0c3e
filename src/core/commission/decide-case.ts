/**
 * @module The Special Commission's procedure as a pure decision: given a case, an action and the
 * version the caller decided on, either the next case or a typed refusal. Nothing is read or written
 * here; the caller stores each accepted action as an append-only row (and a ledger leaf) and the case
 * is the fold of those rows ({@link replayCase}).
 *
 * What cannot be bypassed, because it is decided here and not by the caller: the version
 * (`E_STALE_VERSION`); the reply window (no ruling is proposed until every accused party was notified
 * and has replied or seen its window pass; a late reply is accepted and marked late); the recusal of
 * members that represent a party to the case (`E_RECUSED`); the decision rule, the quorum and the
 * casting vote; escalation only once a deadline has passed unmet; reopening only on a matching breach.
 *
 * Order of the checks: version, role (`E_FORBIDDEN`), state (`E_INVALID_TRANSITION` with
 * `details.state`), who within the case (`E_FORBIDDEN`, `E_RECUSED`), fields (`E_VALIDATION`), then
 * the guards of the step (`E_INVALID_TRANSITION` with `details.reason`).
 */
import { commissionSchema, escalationLadderSchema, type CommissionMember } from '../agreement/schema.ts';
import type { FieldIssue } from '../errors.ts';
import { fieldIssues } from '../validation/field-issues.ts';
import type { Actor } from '../verification/actor.ts';
import { decisionErrors } from '../verification/decision-errors.ts';
import { FieldChecks } from '../verification/field-checks.ts';
import type { CaseAction, CaseStep, OpenCase, ProposeRuling } from './case-action.ts';
import { mayTakeCaseAction } from './case-permissions.ts';
import { CASE_TRANSITIONS } from './case-transitions.ts';
import type {
  CaseViolation,
  CommissionCase,
  Notification,
  Proposal,
  Remedy,
  RemedyDraft,
  Ruling,
} from './commission-case.ts';
import {
  isCaseActionType,
  isRemedyKind,
  isResponsibility,
  isSeverity,
  isVoteChoice,
  type CaseActionType,
} from './kinds.ts';
import { matchingRemedies } from './matches-remedy.ts';
import { caseParties, recusedMembers } from './recusal.ts';
import { tallyVotes } from './tally-votes.ts';

const WHAT = 'case';
const HOUR_MS = 3_600_000;
/** At most this many remedies in one ruling. */
const MAX_REMEDIES = 100;

const invalid = (type: string) => (issues: readonly FieldIssue[]) => decisionErrors.invalid(type, issues);

const prefixed = (prefix: string, issues: readonly FieldIssue[]): FieldIssue[] =>
  issues.map((issue) => ({
    path:
      issue.path === '(root)'
        ? prefix
        : issue.path.startsWith('[')
          ? `${prefix}${issue.path}`
          : `${prefix}.${issue.path}`,
    reason: issue.reason,
  }));

const isTimeZone = (value: unknown): boolean => {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
};

function checkViolation(checks: FieldChecks, path: string, value: CaseViolation): void {
  checks.id(`${path}.id`, value.id).id(`${path}.clause`, value.clause).time(`${path}.timeMs`, value.timeMs);
  if (value.party !== null) checks.id(`${path}.party`, value.party);
  if (value.weaponClass !== null) checks.id(`${path}.weaponClass`, value.weaponClass);
  if (value.zoneId !== null) checks.id(`${path}.zoneId`, value.zoneId);
  if (value.outcome !== 'substantiated')
    checks.add(
      `${path}.outcome`,
      'must be substantiated: only a substantiated violation goes to the Commission',
    );
}

/**
 * Opens a case: `open`, version 1, round 1, with its own copy of the settings, ladder and time zone.
 * @throws TrucelineError `E_FORBIDDEN` unless by the chair; `E_VALIDATION` for every bad field
 */
export function openCase(action: OpenCase): CommissionCase {
  if (!mayTakeCaseAction(action.by.role, 'open'))
    throw decisionErrors.forbidden('open', action.by, 'only the chair opens a case');
  const checks = new FieldChecks();
  checks
    .header(action.at, action.by, null)
    .id('caseId', action.caseId)
    .id('agreementVersion', action.agreementVersion);
  if (!isTimeZone(action.timeZone)) checks.add('timeZone', 'must be an IANA time zone such as Europe/Kyiv');

  const violations = action.violations ?? [];
  const complaint = action.complaint ?? null;
  if (violations.length > 0 === (complaint !== null))
    checks.add('violations', 'give one or more substantiated violations, or a complaint, not both');
  violations.forEach((violation, index) => checkViolation(checks, `violations[${index}]`, violation));
  if (new Set(violations.map((violation) => violation.id)).size !== violations.length)
    checks.add('violations', 'must not repeat a violation');
  if (complaint !== null) {
    checks
      .id('complaint.id', complaint.id)
      .id('complaint.complainant', complaint.complainant)
      .id('complaint.accused', complaint.accused)
      .time('complaint.timeMs', complaint.timeMs);
    if (complaint.clause !== null) checks.id('complaint.clause', complaint.clause);
    if (!action.accused.includes(complaint.accused))
      checks.add('accused', 'must include the party the complaint accuses');
    if (action.accused.includes(complaint.complainant))
      checks.add('accused', 'must not include the complainant');
  }
  if (action.accused.length === 0) checks.add('accused', 'must name at least one party');
  action.accused.forEach((party, index) => checks.id(`accused[${index}]`, party));
  if (new Set(action.accused).size !== action.accused.length)
    checks.add('accused', 'must not repeat a party');

  const settings = commissionSchema.safeParse(action.settings);
  if (!settings.success) checks.issues.push(...prefixed('settings', fieldIssues(settings.error)));
  else if (!settings.data.members.some((member) => member.id === settings.data.chair))
    checks.add('settings.chair', 'must be one of the members');
  const ladder = escalationLadderSchema.safeParse(action.ladder);
  if (!ladder.success) checks.issues.push(...prefixed('ladder', fieldIssues(ladder.error)));
  checks.throwIfAny(invalid('open'));
  if (!settings.success || !ladder.success) throw new Error('unreachable: issues were thrown');
  if (settings.data.chair !== action.by.orgId)
    throw decisionErrors.forbidden(
      'open',
      action.by,
      `only the chair of this Commission (${settings.data.chair}) opens its cases`,
    );

  return {
    id: action.caseId,
    state: 'open',
    version: 1,
    openedAt: action.at,
    openedBy: action.by,
    updatedAt: action.at,
    agreementVersion: action.agreementVersion,
    timeZone: action.timeZone,
    settings: settings.data,
    ladder: ladder.data,
    violations: violations.map((violation) => ({ ...violation })),
    complaint: complaint === null ? null : { ...complaint },
    accused: [...action.accused],
    complainant: complaint?.complainant ?? null,
    round: 1,
    notifications: [],
    replies: [],
    comments: [],
    proposals: [],
    rulings: [],
    escalations: [],
    reopenings: [],
    closedAt: null,
    closeReason: null,
  };
}

/**
 * Decides one action on a case: the next case (version + 1), or a refusal.
 * @param expectedVersion the version the caller read and decided on (the request's If-Match)
 * @throws TrucelineError `E_STALE_VERSION`, `E_FORBIDDEN`, `E_INVALID_TRANSITION` (details.state and,
 *   for a guard, details.reason), `E_RECUSED`, `E_VALIDATION`
 */
export function decideCase(
  commissionCase: CommissionCase,
  action: CaseStep,
  expectedVersion: number,
): CommissionCase {
  if (expectedVersion !== commissionCase.version)
    throw decisionErrors.stale(WHAT, commissionCase.id, expectedVersion, commissionCase.version);
  return applyCaseStep(commissionCase, action);
}

/**
 * The case as the fold of its recorded actions, first to last; each is checked as when decided.
 * @throws TrucelineError when the first action is not `open`, a later one is, or any step is refused
 */
export function replayCase(actions: readonly CaseAction[]): CommissionCase {
  const [first, ...rest] = actions;
  if (first?.type !== 'open')
    throw decisionErrors.invalid('replay', [{ path: '[0].type', reason: 'the first action must be open' }]);
  let commissionCase = openCase(first);
  rest.forEach((action, index) => {
    if (action.type === 'open')
      throw decisionErrors.invalid('replay', [
        { path: `[${index + 1}].type`, reason: 'a case is opened only once' },
      ]);
    commissionCase = applyCaseStep(commissionCase, action);
  });
  return commissionCase;
}

/** The member an actor acts for, refusing non-members (`E_FORBIDDEN`) and recused members (`E_RECUSED`). */
function participatingMember(commissionCase: CommissionCase, by: Actor, type: string): CommissionMember {
  const member = commissionCase.settings.members.find((candidate) => candidate.id === by.orgId);
  if (member === undefined)
    throw decisionErrors.forbidden(type, by, `organisation ${by.orgId} is not a member of the Commission`);
  if (recusedMembers(commissionCase.settings, caseParties(commissionCase)).includes(member.id))
    throw decisionErrors.recused(type, member.id, member.party ?? '');
  return member;
}

const currentNotification = (commissionCase: CommissionCase, party: string): Notification | undefined =>
  commissionCase.notifications.find(
    (notice) => notice.round === commissionCase.round && notice.party === party,
  );

// Plain booleans, not type guards: the declared types stay as they are for the code after the checks.
const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isList = (value: unknown): boolean => Array.isArray(value);

/** The actions a chair takes as a member of the Commission (its seat is checked when deciding). */
const MEMBER_ACTIONS: ReadonlySet<CaseActionType> = new Set(['comment', 'propose-ruling', 'vote']);

/** One action, checked and applied, without the version check (the fold's order is the version). */
function applyCaseStep(commissionCase: CommissionCase, action: CaseStep): CommissionCase {
  const type: unknown = action.type;
  if (!isCaseActionType(type) || type === 'open')
    throw decisionErrors.invalid(String(type), [{ path: 'type', reason: 'is not an action on a case' }]);
  if (!mayTakeCaseAction(action.by.role, type))
    throw decisionErrors.forbidden(type, action.by, 'the role does not take this action');
  // The chair's role runs the cases of its own Commission only: another agreement's chair holds the
  // same role. (Members' actions check the organisation's seat when deciding, below.)
  if (
    action.by.role === 'chair' &&
    !MEMBER_ACTIONS.has(type) &&
    action.by.orgId !== commissionCase.settings.chair
  )
    throw decisionErrors.forbidden(
      type,
      action.by,
      `only the chair of this Commission (${commissionCase.settings.chair}) takes this action`,
    );
  const { state } = commissionCase;
  if (!CASE_TRANSITIONS[state].includes(type))
    throw decisionErrors.transition(WHAT, state, type, undefined, { id: commissionCase.id });

  const refuse = (reason: string, extra: Record<string, unknown> = {}) =>
    decisionErrors.transition(WHAT, state, type, reason, { id: commissionCase.id, ...extra });
  const checks = new FieldChecks();
  checks.header(action.at, action.by, commissionCase.updatedAt);
  const validated = () => checks.throwIfAny(invalid(type));
  const next = (changes: Partial<CommissionCase>): CommissionCase => ({
    ...commissionCase,
    ...changes,
    version: commissionCase.version + 1,
    updatedAt: action.at,
  });
  const ruling = commissionCase.rulings.at(-1);
  const openProposal = commissionCase.proposals.find((proposal) => proposal.status === 'open');

  switch (action.type) {
    case 'notify': {
      checks.id('party', action.party);
      if (!commissionCase.accused.includes(action.party)) checks.add('party', 'is not accused in this case');
      validated();
      if (currentNotification(commissionCase, action.party) !== undefined)
        throw refuse(`${action.party} was already notified in round ${commissionCase.round}`, {
          party: action.party,
        });
      const notice: Notification = {
        round: commissionCase.round,
        party: action.party,
        notifiedAt: action.at,
        notifiedBy: action.by,
        deadlineMs: action.at + commissionCase.settings.replyWindowHours * HOUR_MS,
        extensions: [],
      };
      return next({ state: 'deliberating', notifications: [...commissionCase.notifications, notice] });
    }

    case 'reply': {
      const party = action.by.orgId;
      if (!commissionCase.accused.includes(party))
        throw decisionErrors.forbidden(type, action.by, 'only an accused party replies');
      checks.text('text', action.text).sha256List('evidence', action.evidence);
      validated();
      // The reply answers the party's latest notification: a reply to an earlier round that arrives
      // after a reopening is still kept, under the round it answers.
      const notice = commissionCase.notifications.filter((candidate) => candidate.party === party).at(-1);
      if (notice === undefined) throw refuse(`${party} has not been notified`, { party });
      return next({
        replies: [
          ...commissionCase.replies,
          {
            round: notice.round,
            party,
            at: action.at,
            by: action.by,
            text: action.text,
            evidence: [...action.evidence],
            deadlineMs: notice.deadlineMs,
            late: action.at > notice.deadlineMs,
          },
        ],
      });
    }

    case 'extend': {
      checks.time('deadlineMs', action.deadlineMs).text('reason', action.reason);
      const extension = (fromMs: number) => ({
        at: action.at,
        by: action.by,
        fromMs,
        toMs: action.deadlineMs,
        reason: action.reason,
      });
      // The API hands on the body as it came: a missing target is an issue, not a crash.
      if (!isObject(action.target)) {
        checks.add('target', 'must be an object with kind reply or remedy');
        validated();
      }
      const targetKind: unknown = action.target.kind;
      if (targetKind !== 'reply' && targetKind !== 'remedy') {
        checks.add('target.kind', 'must be reply or remedy');
        validated();
      }
      if (action.target.kind === 'reply') {
        const { party } = action.target;
        if (state !== 'deliberating')
          throw refuse('a reply window is extended only before a ruling is proposed');
        const notice = currentNotification(commissionCase, party);
        if (notice === undefined)
          checks.add('target.party', `has not been notified in round ${commissionCase.round}`);
        else if (action.deadlineMs <= notice.deadlineMs)
          checks.add(
            'deadlineMs',
            `must be later than the current deadline (${new Date(notice.deadlineMs).toISOString()})`,
          );
        validated();
        if (notice === undefined) throw new Error('unreachable: issues were thrown');
        const extended: Notification = {
          ...notice,
          deadlineMs: action.deadlineMs,
          extensions: [...notice.extensions, extension(notice.deadlineMs)],
        };
        return next({
          notifications: commissionCase.notifications.map((candidate) =>
            candidate === notice ? extended : candidate,
          ),
        });
      }
      const { remedyId } = action.target;
      if (state !== 'ruled' && state !== 'published') throw refuse('remedies are extended once ruled');
      const remedy = ruling?.remedies.find((candidate) => candidate.remedyId === remedyId);
      if (remedy === undefined || ruling === undefined)
        checks.add('target.remedyId', 'is not a remedy of the ruling in force');
      else if (action.deadlineMs <= remedy.deadlineMs)
        checks.add(
          'deadlineMs',
          `must be later than the current deadline (${new Date(remedy.deadlineMs).toISOString()})`,
        );
      validated();
      if (remedy === undefined || ruling === undefined) throw new Error('unreachable: issues were thrown');
      if (remedy.metAt !== null) throw refuse(`remedy ${remedyId} is already met`, { remedyId });
      return next({
        rulings: replaceLast(commissionCase.rulings, {
          ...ruling,
          remedies: ruling.remedies.map((candidate) =>
            candidate === remedy
              ? {
                  ...remedy,
                  deadlineMs: action.deadlineMs,
                  extensions: [...remedy.extensions, extension(remedy.deadlineMs)],
                }
              : candidate,
          ),
        }),
      });
    }

    case 'comment': {
      const member = participatingMember(commissionCase, action.by, type);
      checks.text('text', action.text);
      validated();
      return next({
        comments: [
          ...commissionCase.comments,
          { at: action.at, by: action.by, member: member.id, text: action.text },
        ],
      });
    }

    case 'propose-ruling': {
      participatingMember(commissionCase, action.by, type);
      const drafts = checkProposal(checks, commissionCase, action);
      validated();
      const unnotified = commissionCase.accused.filter(
        (party) => currentNotification(commissionCase, party) === undefined,
      );
      if (unnotified.length > 0)
        throw refuse(`not every accused party has been notified: ${unnotified.join(', ')}`, {
          parties: unnotified,
        });
      for (const notice of commissionCase.notifications) {
        if (notice.round !== commissionCase.round || notice.deadlineMs <= action.at) continue;
        const replied = commissionCase.replies.some(
          (reply) => reply.round === notice.round && reply.party === notice.party,
        );
        if (!replied)
          throw refuse(
            `the reply window of ${notice.party} is open until ${new Date(notice.deadlineMs).toISOString()}`,
            {
              party: notice.party,
              deadlineMs: notice.deadlineMs,
            },
          );
      }
      const proposal: Proposal = {
        proposalId: `p${commissionCase.proposals.length + 1}`,
        round: commissionCase.round,
        proposedAt: action.at,
        proposedBy: action.by,
        responsibility: { kind: action.responsibility.kind, parties: [...action.responsibility.parties] },
        severity: action.severity,
        remedies: drafts,
        reasoning: action.reasoning,
        votes: [],
        status: 'open',
        tally: null,
      };
      return next({
        state: 'voting',
        proposals: [
          ...commissionCase.proposals.map((candidate) =>
            candidate === openProposal ? { ...candidate, status: 'superseded' as const } : candidate,
          ),
          proposal,
        ],
      });
    }

    case 'vote': {
      const member = participatingMember(commissionCase, action.by, type);
      if (openProposal === undefined || action.proposalId !== openProposal.proposalId)
        checks.add('proposalId', 'is not the proposal before the members');
      if (!isVoteChoice(action.choice)) checks.add('choice', 'must be for, against or abstain');
      if (action.dissent !== undefined) {
        if (action.choice !== 'against') checks.add('dissent', 'is given only with a vote against');
        else checks.text('dissent', action.dissent);
      }
      validated();
      if (openProposal === undefined) throw new Error('unreachable: issues were thrown');
      // One vote per member and proposal: a member that votes again replaces its vote (it may change its
      // mind while the proposal is before the members); the earlier vote stays in the recorded actions.
      const vote = {
        member: member.id,
        choice: action.choice,
        dissent: action.dissent ?? null,
        at: action.at,
        by: action.by,
      };
      return next({
        proposals: commissionCase.proposals.map((candidate) =>
          candidate === openProposal
            ? { ...openProposal, votes: [...openProposal.votes.filter((v) => v.member !== member.id), vote] }
            : candidate,
        ),
      });
    }

    case 'rule': {
      const { settings } = commissionCase;
      const parties = caseParties(commissionCase);
      if (recusedMembers(settings, parties).includes(settings.chair)) {
        const chair = settings.members.find((member) => member.id === settings.chair);
        throw decisionErrors.recused(type, settings.chair, chair?.party ?? '');
      }
      if (openProposal === undefined || action.proposalId !== openProposal.proposalId)
        checks.add('proposalId', 'is not the proposal before the members');
      validated();
      if (openProposal === undefined) throw new Error('unreachable: issues were thrown');
      const tally = tallyVotes(settings, parties, openProposal.votes);
      if (tally.outcome === 'no-quorum')
        throw refuse(`the quorum is not met: ${tally.present} of ${tally.quorum} members present`, {
          present: tally.present,
          quorum: tally.quorum,
        });
      if (tally.outcome === 'awaiting-chair') throw refuse('the chair decides and has not voted');
      const decided: Proposal = { ...openProposal, status: tally.outcome, tally };
      const proposals = commissionCase.proposals.map((candidate) =>
        candidate === openProposal ? decided : candidate,
      );
      if (tally.outcome === 'rejected') return next({ state: 'deliberating', proposals });
      const adopted: Ruling = {
        proposalId: openProposal.proposalId,
        round: openProposal.round,
        ruledAt: action.at,
        ruledBy: action.by,
        responsibility: openProposal.responsibility,
        severity: openProposal.severity,
        reasoning: openProposal.reasoning,
        remedies: openProposal.remedies.map((draft, index) =>
          remedyOf(commissionCase, draft, `${openProposal.proposalId}.r${index + 1}`, action.at),
        ),
        dissents: openProposal.votes
          .filter(
            (vote) =>
              vote.choice === 'against' && vote.dissent !== null && tally.entitled.includes(vote.member),
          )
          .map((vote) => ({ member: vote.member, text: vote.dissent ?? '' })),
        tally,
        publishedAt: null,
        publishedBy: null,
      };
      return next({ state: 'ruled', proposals, rulings: [...commissionCase.rulings, adopted] });
    }

    case 'publish': {
      validated();
      if (ruling === undefined) throw refuse('there is no ruling to publish');
      return next({
        state: 'published',
        rulings: replaceLast(commissionCase.rulings, {
          ...ruling,
          publishedAt: action.at,
          publishedBy: action.by,
        }),
      });
    }

    case 'remedy-met': {
      const remedy = ruling?.remedies.find((candidate) => candidate.remedyId === action.remedyId);
      if (remedy === undefined) checks.add('remedyId', 'is not a remedy of the ruling in force');
      checks.text('note', action.note).sha256List('evidence', action.evidence);
      validated();
      if (remedy === undefined || ruling === undefined) throw new Error('unreachable: issues were thrown');
      if (remedy.metAt !== null)
        throw refuse(`remedy ${remedy.remedyId} is already met`, { remedyId: remedy.remedyId });
      const met: Remedy = {
        ...remedy,
        metAt: action.at,
        metBy: action.by,
        metNote: action.note,
        metEvidence: [...action.evidence],
      };
      return next({
        rulings: replaceLast(commissionCase.rulings, {
          ...ruling,
          remedies: ruling.remedies.map((candidate) => (candidate === remedy ? met : candidate)),
        }),
      });
    }

    case 'advance-escalation': {
      checks.optionalText('reason', action.reason);
      validated();
      const unmet = ruling?.remedies.filter((remedy) => remedy.metAt === null) ?? [];
      if (unmet.length === 0) throw refuse('no remedy is outstanding');
      const current = commissionCase.escalations.at(-1);
      if (current === undefined) {
        if (!unmet.some((remedy) => remedy.deadlineMs <= action.at))
          throw refuse('no remedy deadline has passed', {
            nextDeadlineMs: Math.min(...unmet.map((remedy) => remedy.deadlineMs)),
          });
      } else if (current.deadlineMs > action.at)
        throw refuse(`step ${current.stepId} runs until ${new Date(current.deadlineMs).toISOString()}`, {
          stepId: current.stepId,
          deadlineMs: current.deadlineMs,
        });
      const stepIndex = current === undefined ? 0 : current.stepIndex + 1;
      const step = commissionCase.ladder[stepIndex];
      if (step === undefined) throw refuse('the case stands on the last step of the escalation ladder');
      return next({
        escalations: [
          ...commissionCase.escalations,
          {
            stepIndex,
            stepId: step.id,
            startedAt: action.at,
            deadlineMs: action.at + step.deadlineHours * HOUR_MS,
            by: action.by,
            reason: action.reason ?? null,
          },
        ],
      });
    }

    case 'close': {
      checks.text('reason', action.reason);
      validated();
      const unmet = ruling?.remedies.filter((remedy) => remedy.metAt === null) ?? [];
      if (unmet.length > 0)
        throw refuse('remedies are outstanding', { remedyIds: unmet.map((remedy) => remedy.remedyId) });
      return next({ state: 'closed', closedAt: action.at, closeReason: action.reason });
    }

    case 'reopen': {
      checks.text('reason', action.reason);
      checkViolation(checks, 'violation', action.violation);
      const matched = matchingRemedies(commissionCase, action.violation);
      if (matched.length === 0)
        checks.add(
          'violation',
          'breaches no remedy of the ruling in force (same clause, party, weapon class and zone, after its deadline)',
        );
      validated();
      return next({
        state: 'open',
        round: commissionCase.round + 1,
        violations: [...commissionCase.violations, { ...action.violation }],
        reopenings: [
          ...commissionCase.reopenings,
          {
            at: action.at,
            by: action.by,
            reason: action.reason,
            violationId: action.violation.id,
            remedyIds: matched.map((remedy) => remedy.remedyId),
            from: state,
          },
        ],
        closedAt: null,
        closeReason: null,
      });
    }
  }
}

/** Checks a proposed ruling's fields and returns its remedies as drafts. */
function checkProposal(
  checks: FieldChecks,
  commissionCase: CommissionCase,
  action: ProposeRuling,
): RemedyDraft[] {
  const { responsibility } = action;
  const parties = caseParties(commissionCase);
  // The API hands on the body as it came: shapes are checked before anything is read from them.
  const shapeOk = isObject(responsibility) && isList(responsibility.parties);
  if (!shapeOk) checks.add('responsibility', 'must be an object with kind and parties (a list)');
  const remediesOk = isList(action.remedies) && action.remedies.every((r) => isObject(r));
  if (!remediesOk) checks.add('remedies', 'must be a list of remedies (objects)');
  if (!shapeOk || !remediesOk) return [];
  if (!isResponsibility(responsibility.kind))
    checks.add('responsibility.kind', 'must be one-party, several-parties or undetermined');
  const count = responsibility.parties.length;
  if (responsibility.kind === 'one-party' && count !== 1)
    checks.add('responsibility.parties', 'must name exactly one party');
  if (responsibility.kind === 'several-parties' && count < 2)
    checks.add('responsibility.parties', 'must name two or more parties');
  if (responsibility.kind === 'undetermined' && count !== 0)
    checks.add('responsibility.parties', 'must be empty when responsibility is undetermined');
  if (new Set(responsibility.parties).size !== count)
    checks.add('responsibility.parties', 'must not repeat a party');
  responsibility.parties.forEach((party, index) => {
    if (!parties.includes(party))
      checks.add(`responsibility.parties[${index}]`, 'is not a party to this case');
  });
  if (!isSeverity(action.severity)) checks.add('severity', 'must be minor, serious, grave or armed-attack');
  checks.text('reasoning', action.reasoning);
  if (action.remedies.length > MAX_REMEDIES)
    checks.add('remedies', `must have at most ${MAX_REMEDIES} items`);
  return action.remedies.map((remedy, index) => {
    const path = `remedies[${index}]`;
    if (!isRemedyKind(remedy.kind))
      checks.add(`${path}.kind`, 'must be withdraw-weapon-class, discipline-and-report, compensate or other');
    if (!responsibility.parties.includes(remedy.party))
      checks.add(`${path}.party`, 'must be a party the ruling holds responsible');
    if (remedy.kind === 'withdraw-weapon-class') {
      if (remedy.weaponClass === undefined)
        checks.add(`${path}.weaponClass`, 'is required to withdraw a weapon class');
      if (remedy.zoneId === undefined) checks.add(`${path}.zoneId`, 'is required to withdraw a weapon class');
    }
    if (remedy.weaponClass !== undefined) checks.id(`${path}.weaponClass`, remedy.weaponClass);
    if (remedy.zoneId !== undefined) checks.id(`${path}.zoneId`, remedy.zoneId);
    if (remedy.clause !== undefined) checks.id(`${path}.clause`, remedy.clause);
    checks.hours(`${path}.withinHours`, remedy.withinHours).text(`${path}.description`, remedy.description);
    return {
      kind: remedy.kind,
      weaponClass: remedy.weaponClass ?? null,
      zoneId: remedy.zoneId ?? null,
      clause: remedy.clause ?? null,
      party: remedy.party,
      withinHours: remedy.withinHours,
      description: remedy.description,
    };
  });
}

/**
 * A remedy as ruled: its deadline counted from the ruling, and the clause, weapon class and zone it
 * leaves out taken from the case's violations by its party (and the complaint against it) when they all
 * agree — so "discipline and report" after shelling from zone Z is matched against the next shelling
 * from zone Z.
 */
function remedyOf(
  commissionCase: CommissionCase,
  draft: RemedyDraft,
  remedyId: string,
  ruledAt: number,
): Remedy {
  const byParty = commissionCase.violations.filter((violation) => violation.party === draft.party);
  const complaint =
    commissionCase.complaint !== null && commissionCase.complaint.accused === draft.party
      ? commissionCase.complaint
      : null;
  const agreed = (values: readonly (string | null)[]): string | null => {
    const distinct = [...new Set(values)];
    return distinct.length === 1 ? (distinct[0] ?? null) : null;
  };
  const clauses = byParty.map((violation): string | null => violation.clause);
  if (complaint !== null && complaint.clause !== null) clauses.push(complaint.clause);
  return {
    ...draft,
    clause: draft.clause ?? agreed(clauses),
    weaponClass: draft.weaponClass ?? agreed(byParty.map((violation) => violation.weaponClass)),
    zoneId: draft.zoneId ?? agreed(byParty.map((violation) => violation.zoneId)),
    remedyId,
    deadlineMs: ruledAt + draft.withinHours * HOUR_MS,
    extensions: [],
    metAt: null,
    metBy: null,
    metNote: null,
    metEvidence: [],
  };
}

const replaceLast = <T>(list: readonly T[], last: T): readonly T[] => [...list.slice(0, -1), last];

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrucelineError, type ErrorCode } from '../errors.ts';
import { SYSTEM_ACTOR } from '../verification/actor.ts';
import type { CaseAction, CaseStep } from './case-action.ts';
import { CASE_TRANSITIONS } from './case-transitions.ts';
import type { CommissionCase } from './commission-case.ts';
import { decideCase, openCase, replayCase } from './decide-case.ts';
import { deadlinesDue } from './deadlines-due.ts';
import { CASE_ACTION_TYPES, CASE_STATES } from './kinds.ts';
import { matchesRemedy } from './matches-remedy.ts';
import {
  HOUR,
  T0,
  action,
  at,
  caseIn,
  chair,
  commissioner,
  liaison,
  openAction,
  run,
  settings,
  violation,
  vote,
  voting,
} from './test-support.ts';

function refused(code: ErrorCode, fn: () => unknown): Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    assert.ok(isTrucelineError(error), String(error));
    assert.equal(error.code, code, error.message);
    return { ...error.details, issues: error.issues };
  }
  assert.fail(`expected ${code}`);
}

const paths = (details: Record<string, unknown>): string[] =>
  (details.issues as { path: string }[]).map((issue) => issue.path);

const act = (kase: CommissionCase, step: CaseStep): CommissionCase => decideCase(kase, step, kase.version);

describe('openCase', () => {
  it('opens from substantiated violations with its own copy of the settings and ladder', () => {
    const source = openAction();
    const kase = openCase(source);
    assert.equal(kase.state, 'open');
    assert.equal(kase.version, 1);
    assert.equal(kase.round, 1);
    assert.deepEqual(kase.settings, source.settings);
    // A later amendment of the agreement hands the caller new settings; the running case keeps its own.
    (source.settings as { replyWindowHours: number }).replyWindowHours = 1;
    assert.equal(kase.settings.replyWindowHours, 72);
    const notified = act(kase, action('notify', 1));
    assert.equal(notified.notifications[0]?.deadlineMs, at(73));
  });

  it('opens from a complaint, the complainant a party to the case', () => {
    const kase = openCase(
      openAction({
        violations: undefined,
        complaint: { id: 'c-1', complainant: 'alpha', accused: 'bravo', clause: 'no-fire', timeMs: at(-5) },
      }),
    );
    assert.equal(kase.complainant, 'alpha');
    assert.deepEqual(kase.accused, ['bravo']);
  });

  it('refuses a violation that is not substantiated, a case with no origin, and bad settings', () => {
    const details = refused('E_VALIDATION', () =>
      openCase(openAction({ violations: [violation({ outcome: 'unable-to-determine' })] })),
    );
    assert.deepEqual(paths(details), ['violations[0].outcome']);
    assert.deepEqual(paths(refused('E_VALIDATION', () => openCase(openAction({ violations: [] })))), [
      'violations',
    ]);
    const bad = refused('E_VALIDATION', () =>
      openCase(openAction({ settings: settings({ chair: 'nobody', quorum: 0 }), timeZone: 'Mars/Olympus' })),
    );
    assert.deepEqual(paths(bad).sort(), ['settings.quorum', 'timeZone']);
    assert.deepEqual(
      paths(refused('E_VALIDATION', () => openCase(openAction({ settings: settings({ chair: 'nobody' }) })))),
      ['settings.chair'],
    );
  });

  it('is the chair’s to open', () => {
    refused('E_FORBIDDEN', () => openCase(openAction({ by: commissioner('fr') })));
  });

  it('names a missing or malformed part of an action, as the API hands it on, instead of failing', () => {
    const kase = caseIn('deliberating');
    const malformed = (step: CaseStep) => paths(refused('E_VALIDATION', () => act(kase, step)));
    assert.deepEqual(malformed({ ...action('extend', 2), target: undefined } as unknown as CaseStep), [
      'target',
    ]);
    const proposal = action('propose-ruling', 73);
    assert.deepEqual(malformed({ ...proposal, responsibility: undefined } as unknown as CaseStep), [
      'responsibility',
    ]);
    assert.deepEqual(malformed({ ...proposal, remedies: 'x' } as unknown as CaseStep), ['remedies']);
  });

  it('is for the chair of this Commission, not of another agreement’s', () => {
    const otherChair = { ...chair, userId: 'chair-2', orgId: 'fr' };
    refused('E_FORBIDDEN', () => openCase(openAction({ by: otherChair })));
    const kase = caseIn('deliberating');
    for (const step of ['notify', 'extend', 'publish', 'close'] as const)
      refused('E_FORBIDDEN', () => act(kase, { ...action(step, 2), by: otherChair }));
  });
});

describe('decideCase: notification and the right of reply', () => {
  it('starts the reply window at the recorded notification', () => {
    const kase = caseIn('deliberating');
    assert.equal(kase.state, 'deliberating');
    assert.equal(kase.notifications[0]?.notifiedAt, at(1));
    assert.equal(kase.notifications[0]?.deadlineMs, at(1 + 72));
  });

  it('accepts a late reply and marks it late', () => {
    const kase = act(caseIn('deliberating'), action('reply', 80));
    assert.equal(kase.replies.length, 1);
    assert.equal(kase.replies[0]?.late, true);
    assert.equal(kase.replies[0]?.deadlineMs, at(73));
    const onTime = act(caseIn('deliberating'), action('reply', 73));
    assert.equal(onTime.replies[0]?.late, false);
  });

  it('accepts a reply even after the ruling, never dropping it', () => {
    const kase = act(caseIn('published'), {
      ...action('reply', 200),
      text: 'We contest the ruling.',
    } as CaseStep);
    assert.equal(kase.state, 'published');
    assert.deepEqual(
      kase.replies.map((reply) => reply.late),
      [false, true],
    );
    const late = act(caseIn('closed'), action('reply', 300));
    assert.equal(late.replies.at(-1)?.round, 1);
  });

  it('counts a reply against an extended window', () => {
    const extended = act(caseIn('deliberating'), action('extend', 50));
    assert.equal(extended.notifications[0]?.deadlineMs, at(500));
    assert.equal(extended.notifications[0]?.extensions[0]?.fromMs, at(73));
    assert.equal(act(extended, action('reply', 80)).replies[0]?.late, false);
    const shorter = { ...action('extend', 50), deadlineMs: at(60) } as CaseStep;
    assert.deepEqual(paths(refused('E_VALIDATION', () => act(caseIn('deliberating'), shorter))), [
      'deadlineMs',
    ]);
  });

  it('takes replies only from an accused party that was notified', () => {
    refused('E_FORBIDDEN', () =>
      act(caseIn('deliberating'), { ...action('reply', 5), by: liaison('alpha') }),
    );
    const details = refused('E_INVALID_TRANSITION', () => act(caseIn('open'), action('reply', 5)));
    assert.equal(details.state, 'open');
    assert.match(String(details.reason), /not been notified/);
  });

  it('does not let a ruling be proposed while a reply window is open or a party is not notified', () => {
    const waiting = refused('E_INVALID_TRANSITION', () =>
      act(caseIn('deliberating'), action('propose-ruling', 20)),
    );
    assert.equal(waiting.state, 'deliberating');
    assert.equal(waiting.party, 'bravo');
    assert.equal(waiting.deadlineMs, at(73));
    // Once the window has passed without a reply, the Commission may proceed.
    assert.equal(act(caseIn('deliberating'), action('propose-ruling', 73)).state, 'voting');
    // With two accused, both must be notified first.
    const two = run(
      openCase(openAction({ accused: ['bravo', 'alpha'] })),
      action('notify', 1),
      action('reply', 2),
    );
    const details = refused('E_INVALID_TRANSITION', () => act(two, action('propose-ruling', 100)));
    assert.deepEqual(details.parties, ['alpha']);
  });

  it('refuses notifying the same party twice in a round, and a party that is not accused', () => {
    refused('E_INVALID_TRANSITION', () => act(caseIn('deliberating'), action('notify', 2)));
    refused('E_VALIDATION', () =>
      act(caseIn('open'), { ...action('notify', 2), party: 'alpha' } as CaseStep),
    );
  });
});

describe('decideCase: recusal', () => {
  it('refuses votes, proposals and comments by a member representing a party to the case', () => {
    const rep = commissioner('rep-bravo');
    refused('E_RECUSED', () => act(voting(), { ...vote('fr', 'against', 11), by: rep }));
    refused('E_RECUSED', () =>
      act(run(caseIn('deliberating'), action('reply', 5)), {
        ...action('propose-ruling', 6),
        by: rep,
      }),
    );
    const details = refused('E_RECUSED', () =>
      act(caseIn('deliberating'), { ...action('comment', 2), by: rep }),
    );
    assert.equal(details.member, 'rep-bravo');
    assert.equal(details.party, 'bravo');
  });

  it('recuses the complainant’s representative too', () => {
    const kase = run(
      openCase(
        openAction({
          violations: undefined,
          complaint: { id: 'c-1', complainant: 'alpha', accused: 'bravo', clause: 'no-fire', timeMs: at(-5) },
        }),
      ),
      action('notify', 1),
    );
    refused('E_RECUSED', () => act(kase, { ...action('comment', 2), by: commissioner('rep-alpha') }));
  });

  it('lets a party’s representative vote when the settings do not recuse parties', () => {
    const kase = run(
      openCase(openAction({ settings: settings({ recuseParties: false }) })),
      action('notify', 1),
      action('reply', 2),
      action('propose-ruling', 3),
    );
    const voted = act(kase, { ...vote('fr', 'against', 4), by: commissioner('rep-bravo') });
    assert.equal(voted.proposals[0]?.votes[0]?.member, 'rep-bravo');
  });

  it('refuses a vote from an organisation that is not a member', () => {
    refused('E_FORBIDDEN', () => act(voting(), { ...vote('fr', 'for', 11), by: commissioner('pl') }));
  });
});

describe('decideCase: ruling', () => {
  it('adopts by majority with a dissent recorded, the accused party not voting', () => {
    const kase = run(
      voting(),
      vote('fr', 'for', 11),
      vote('uk', 'for', 11),
      vote('de', 'against', 11, 'The origin ellipse reaches across the line.'),
      vote('us', 'for', 11),
      action('rule', 12),
    );
    assert.equal(kase.state, 'ruled');
    const ruling = kase.rulings[0]!;
    assert.deepEqual(ruling.responsibility, { kind: 'one-party', parties: ['bravo'] });
    assert.deepEqual(ruling.dissents, [
      { member: 'de', text: 'The origin ellipse reaches across the line.' },
    ]);
    assert.deepEqual(ruling.tally.recused, ['rep-bravo']);
    assert.equal(ruling.tally.inFavour, 3);
    assert.equal(ruling.tally.against, 1);
    assert.equal(ruling.tally.outcome, 'adopted');
    assert.ok(!ruling.tally.entitled.includes('rep-bravo'));
    assert.equal(ruling.remedies[0]?.remedyId, 'p1.r1');
    assert.equal(ruling.remedies[0]?.deadlineMs, at(12 + 48));
    assert.equal(kase.proposals[0]?.status, 'adopted');
  });

  it('refuses to rule without a quorum', () => {
    const kase = run(voting(), vote('fr', 'for', 11), vote('uk', 'for', 11));
    const details = refused('E_INVALID_TRANSITION', () => act(kase, action('rule', 12)));
    assert.equal(details.state, 'voting');
    assert.equal(details.present, 2);
    assert.equal(details.quorum, 3);
  });

  it('breaks a tie with the chair’s casting vote', () => {
    const tie = (chairChoice: 'for' | 'against') =>
      run(
        voting(),
        vote('fr', 'for', 11),
        vote('uk', 'against', 11),
        vote('de', 'against', 11),
        vote('us', chairChoice, 11),
        action('rule', 12),
      );
    const adopted = tie('for');
    assert.equal(adopted.state, 'ruled');
    assert.equal(adopted.rulings[0]?.tally.castingVote, 'for');
    const rejected = tie('against');
    assert.equal(rejected.state, 'deliberating');
    assert.equal(rejected.proposals[0]?.status, 'rejected');
  });

  it('fails under consensus when one member votes against, and the case goes back to deliberation', () => {
    const kase = run(
      openCase(openAction({ settings: settings({ decisionRule: 'consensus' }) })),
      action('notify', 1),
      action('reply', 10),
      action('propose-ruling', 11),
      vote('fr', 'for', 11),
      vote('uk', 'for', 11),
      vote('us', 'for', 11),
      vote('de', 'against', 11, 'Not proven.'),
      action('rule', 12),
    );
    assert.equal(kase.state, 'deliberating');
    assert.equal(kase.rulings.length, 0);
    assert.equal(kase.proposals[0]?.tally?.outcome, 'rejected');
    // A new proposal may follow; it is p2.
    const again = act(kase, action('propose-ruling', 13));
    assert.equal(again.proposals[1]?.proposalId, 'p2');
  });

  it('lets a member change its vote while the proposal is before the members', () => {
    const kase = run(voting(), vote('de', 'against', 11, 'first view'), vote('de', 'for', 11.5));
    assert.deepEqual(
      kase.proposals[0]?.votes.map((v) => [v.member, v.choice, v.dissent]),
      [['de', 'for', null]],
    );
  });

  it('takes a dissent only with a vote against, and votes only on the proposal before the members', () => {
    assert.deepEqual(paths(refused('E_VALIDATION', () => act(voting(), vote('fr', 'for', 11, 'but…')))), [
      'dissent',
    ]);
    const wrong = { ...vote('fr', 'for', 11), proposalId: 'p9' } as CaseStep;
    assert.deepEqual(paths(refused('E_VALIDATION', () => act(voting(), wrong))), ['proposalId']);
  });

  it('supersedes a proposal with a new one, discarding its votes', () => {
    const kase = run(voting(), vote('fr', 'for', 11), action('propose-ruling', 11.5));
    assert.deepEqual(
      kase.proposals.map((p) => [p.proposalId, p.status, p.votes.length]),
      [
        ['p1', 'superseded', 1],
        ['p2', 'open', 0],
      ],
    );
  });

  it('checks what a proposal says: responsibility, severity and remedies', () => {
    const base = action('propose-ruling', 11) as Extract<CaseStep, { type: 'propose-ruling' }>;
    const bad: CaseStep = {
      ...base,
      responsibility: { kind: 'one-party', parties: ['bravo', 'charlie'] },
      severity: 'apocalyptic' as 'grave',
      remedies: [{ kind: 'withdraw-weapon-class', party: 'alpha', withinHours: 0, description: 'x' }],
    };
    const kase = run(caseIn('deliberating'), action('reply', 5));
    assert.deepEqual(paths(refused('E_VALIDATION', () => act(kase, bad))).sort(), [
      'remedies[0].party',
      'remedies[0].weaponClass',
      'remedies[0].withinHours',
      'remedies[0].zoneId',
      'responsibility.parties',
      'responsibility.parties[1]',
      'severity',
    ]);
  });

  it('fills a remedy’s clause, weapon class and zone from the violations when it leaves them out', () => {
    const kase = run(
      run(caseIn('deliberating'), action('reply', 5)),
      {
        ...action('propose-ruling', 6),
        remedies: [
          {
            kind: 'discipline-and-report',
            party: 'bravo',
            withinHours: 72,
            description: 'Discipline the battery.',
          },
        ],
      } as CaseStep,
      vote('fr', 'for', 7),
      vote('uk', 'for', 7),
      vote('us', 'for', 7),
      action('rule', 8),
    );
    const remedy = kase.rulings[0]!.remedies[0]!;
    assert.deepEqual(
      [remedy.clause, remedy.weaponClass, remedy.zoneId],
      ['heavy-weapons', 'artillery-100', 'lim-15'],
    );
  });
});

describe('decideCase: remedies and escalation', () => {
  it('advances the ladder only when a remedy deadline passes unmet, then step by step to its end', () => {
    const published = caseIn('published');
    assert.deepEqual(deadlinesDue(published, at(59)), []);
    const early = refused('E_INVALID_TRANSITION', () => act(published, action('advance-escalation', 59)));
    assert.equal(early.state, 'published');
    assert.equal(early.nextDeadlineMs, at(60));

    const due = deadlinesDue(published, at(61));
    assert.deepEqual(
      due.map((d) => [d.kind, d.remedyId, d.party, d.advancesEscalation]),
      [['remedy', 'p1.r1', 'bravo', true]],
    );
    const first = act(published, { ...action('advance-escalation', 61), by: SYSTEM_ACTOR });
    assert.deepEqual(
      first.escalations.map((e) => [e.stepId, e.deadlineMs]),
      [['coordination', at(61 + 48)]],
    );
    assert.equal(deadlinesDue(first, at(62))[0]?.advancesEscalation, false);

    refused('E_INVALID_TRANSITION', () => act(first, action('advance-escalation', 100)));
    const stepDue = deadlinesDue(first, at(110)).find((d) => d.kind === 'escalation-step');
    assert.equal(stepDue?.stepId, 'coordination');
    assert.equal(stepDue?.advancesEscalation, true);
    const second = act(first, action('advance-escalation', 110));
    const third = act(second, action('advance-escalation', 110 + 72));
    assert.deepEqual(
      third.escalations.map((e) => e.stepId),
      ['coordination', 'discipline', 'guarantees'],
    );
    assert.equal(
      deadlinesDue(third, at(1000)).find((d) => d.kind === 'escalation-step')?.advancesEscalation,
      false,
    );
    const end = refused('E_INVALID_TRANSITION', () => act(third, action('advance-escalation', 1000)));
    assert.match(String(end.reason), /last step/);
  });

  it('stops escalating once the remedy is met, and closes as corrected', () => {
    const met = act(caseIn('published'), action('remedy-met', 70));
    assert.deepEqual(deadlinesDue(met, at(1000)), []);
    refused('E_INVALID_TRANSITION', () => act(met, action('advance-escalation', 71)));
    refused('E_INVALID_TRANSITION', () => act(met, action('remedy-met', 72)));
    const closed = act(met, action('close', 72));
    assert.equal(closed.state, 'closed');
  });

  it('does not close while a remedy is outstanding', () => {
    const details = refused('E_INVALID_TRANSITION', () => act(caseIn('published'), action('close', 20)));
    assert.deepEqual(details.remedyIds, ['p1.r1']);
  });

  it('extends a remedy’s deadline as a case action', () => {
    const extended = act(caseIn('ruled'), {
      type: 'extend',
      at: at(20),
      by: chair,
      target: { kind: 'remedy', remedyId: 'p1.r1' },
      deadlineMs: at(100),
      reason: 'weather',
    });
    assert.equal(extended.rulings[0]?.remedies[0]?.deadlineMs, at(100));
    assert.deepEqual(deadlinesDue(extended, at(99)), []);
  });

  it('lists a reply window that passed without a reply', () => {
    const due = deadlinesDue(caseIn('deliberating'), at(73));
    assert.deepEqual(
      due.map((d) => [d.key, d.kind, d.party]),
      [[`reply:1:bravo@${at(73)}`, 'reply', 'bravo']],
    );
    assert.deepEqual(deadlinesDue(caseIn('deliberating'), at(72)), []);
  });

  it('reopens on a later breach of the remedy, for a new round of notification', () => {
    const later = violation({ id: 'ev-99#heavy-weapons@lim-15', timeMs: at(70) });
    const closed = caseIn('closed');
    assert.equal(matchesRemedy(closed, later), true);
    const reopened = act(closed, action('reopen', 80));
    assert.equal(reopened.state, 'open');
    assert.equal(reopened.round, 2);
    assert.deepEqual(reopened.reopenings[0]?.remedyIds, ['p1.r1']);
    assert.equal(reopened.violations.at(-1)?.id, later.id);
    // The new round needs its own notification before a new ruling.
    const notified = act(reopened, action('notify', 81));
    assert.equal(notified.notifications.at(-1)?.round, 2);
    // A breach that matches no remedy does not reopen.
    const unrelated = {
      ...action('reopen', 80),
      violation: violation({ id: 'ev-100', zoneId: 'lim-25', timeMs: at(70) }),
    };
    assert.deepEqual(paths(refused('E_VALIDATION', () => act(closed, unrelated as CaseStep))), ['violation']);
  });
});

describe('decideCase: versions and replay', () => {
  it('refuses a stale version and names the current one', () => {
    const kase = caseIn('voting');
    const details = refused('E_STALE_VERSION', () =>
      decideCase(kase, vote('fr', 'for', 11), kase.version - 1),
    );
    assert.equal(details.currentVersion, kase.version);
  });

  it('of two members acting on the same version, only the first succeeds', () => {
    const kase = caseIn('voting');
    const first = decideCase(kase, vote('fr', 'for', 11), kase.version);
    refused('E_STALE_VERSION', () => decideCase(first, vote('uk', 'for', 11), kase.version));
  });

  it('replays a history into the case the decisions produced, and refuses a tampered one', () => {
    const history: CaseAction[] = [
      openAction(),
      action('notify', 1),
      action('reply', 10),
      action('propose-ruling', 11),
      vote('fr', 'for', 11),
      vote('uk', 'for', 11),
      vote('us', 'for', 11),
      action('rule', 12),
    ];
    assert.deepEqual(replayCase(history), caseIn('ruled'));
    const tampered = [...history.slice(0, 4), { ...vote('fr', 'for', 11), by: commissioner('rep-bravo') }];
    refused('E_RECUSED', () => replayCase(tampered));
  });

  it('never changes the case it is given', () => {
    const kase = caseIn('voting');
    const before = structuredClone(kase);
    run(kase, vote('fr', 'for', 11), vote('uk', 'for', 11), vote('us', 'for', 11), action('rule', 12));
    assert.deepEqual(kase, before);
  });

  it('stores plain JSON: a case survives a round trip unchanged', () => {
    const kase = act(caseIn('published'), action('advance-escalation', 61));
    assert.deepEqual(JSON.parse(JSON.stringify(kase)), kase);
    assert.equal(kase.openedAt, T0);
    assert.equal(kase.escalations[0]?.deadlineMs, T0 + (61 + 48) * HOUR);
  });
});

describe('decideCase: every illegal action is refused with the state named', () => {
  for (const state of CASE_STATES) {
    const allowed = CASE_TRANSITIONS[state];
    for (const type of CASE_ACTION_TYPES) {
      if (type === 'open' || allowed.includes(type)) continue;
      it(`${state}: ${type}`, () => {
        const kase = caseIn(state);
        assert.equal(kase.state, state);
        const details = refused('E_INVALID_TRANSITION', () => act(kase, action(type, 900)));
        assert.equal(details.state, state);
        assert.equal(details.action, type);
      });
    }
  }
});

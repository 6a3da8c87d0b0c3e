import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  SHIPPED_IDS,
  brokenFixtures,
  fixtureText,
  shippedText,
} from '../../../test/fixtures/agreements/load.ts';
import type { FieldIssue } from '../errors.ts';
import { parseAgreement } from './parse-agreement.ts';

/** The per-party fixture as a plain object, to change in one place and parse again. */
type Doc = Record<string, unknown> & {
  zones: Record<string, unknown>[];
  referenceLines: { parties: string[]; geometry: { coordinates: number[][] } }[];
  sides: { party: string; geometry: { coordinates: number[][][] } }[];
  commission: Record<string, unknown> & { members: Record<string, unknown>[] };
  amendments: Record<string, unknown>[];
  parties: Record<string, unknown>[];
  prohibitedConduct: Record<string, unknown>[];
  weaponClasses: Record<string, unknown>[];
};
const baseDoc = (): Doc => parseYaml(fixtureText('per-party-lines.yaml')) as Doc;
const parseDoc = (doc: unknown): FieldIssue[] => parseAgreement(JSON.stringify(doc), 'json').issues;
const changed = (change: (doc: Doc) => void): FieldIssue[] => {
  const doc = baseDoc();
  change(doc);
  return parseDoc(doc);
};
const reasonAt = (issues: readonly FieldIssue[], path: string): string[] =>
  issues.filter((issue) => issue.path === path).map((issue) => issue.reason);

describe('parseAgreement: valid documents', () => {
  for (const id of SHIPPED_IDS)
    it(`accepts the shipped agreement ${id}`, () => {
      const { agreement, issues } = parseAgreement(shippedText(id), 'yaml');
      assert.deepEqual(issues, []);
      assert.equal(agreement?.id, id);
      assert.equal(agreement.sides.length, 2);
    });

  it('accepts the fixture with a reference line per party', () => {
    const { agreement, issues } = parseAgreement(fixtureText('per-party-lines.yaml'), 'yaml');
    assert.deepEqual(issues, []);
    assert.deepEqual(
      agreement?.referenceLines.map((line) => line.parties),
      [['alpha'], ['bravo']],
    );
  });

  it('fills in the defaults: 19:30 cut-off, 72 h reply window, the Commission rules', () => {
    const doc = baseDoc();
    delete doc.reportingDayCutoff;
    doc.commission = { members: doc.commission.members, chair: 'mon', decisionRule: 'majority', quorum: 3 };
    doc.amendments = [];
    const { agreement, issues } = parseAgreement(JSON.stringify(doc), 'json');
    assert.deepEqual(issues, []);
    assert.equal(agreement?.reportingDayCutoff, '19:30');
    assert.equal(agreement.commission.replyWindowHours, 72);
    assert.equal(agreement.commission.chairCastingVote, true);
    assert.equal(agreement.commission.recuseParties, true);
    assert.equal(agreement.commission.countAbstentions, false);
  });

  it('gives back an agreement that parses again, as JSON, to the same value', () => {
    for (const text of [shippedText('donbas-2015'), fixtureText('per-party-lines.yaml')]) {
      const first = parseAgreement(text, 'yaml').agreement;
      assert.ok(first);
      const again = parseAgreement(JSON.stringify(first), 'json');
      assert.deepEqual(again.issues, []);
      assert.deepEqual(again.agreement, first);
    }
  });
});

describe('parseAgreement: the broken fixtures, one kind of mistake each', () => {
  // Every broken fixture is listed here with exactly the problems it must produce.
  const expected: Record<string, [path: string, reason: RegExp][]> = {
    'broken/amendment-conflicts.yaml': [
      [
        'amendments[1].changes.weaponClasses.remove[0]',
        /^cannot remove weapon class "tanks": it is not in the terms in force/,
      ],
      [
        'amendments[1].changes.zones.replace[0]',
        /^cannot replace zone "buffer-north": it is not in the terms in force .*\(use add\)$/,
      ],
      [
        'amendments[1].changes.zones.add[0]',
        /^cannot add zone "buffer": it is already in the terms in force \(zones\[0\]\) \(use replace\)$/,
      ],
    ],
    'broken/amendments-out-of-order.yaml': [
      [
        'amendments[1].effectiveAt',
        /^amendments must be in order of time.*not later than amendments\[0\]\.effectiveAt/,
      ],
    ],
    'broken/bad-commission.yaml': [
      ['commission.chair', /^the chair "un" is not one of the members$/],
      ['commission.quorum', /^a quorum of 4 cannot be met in a case between the parties: .* leaving 3$/],
    ],
    'broken/bad-values.json': [
      ['effectiveAt', /^is not a real date and time$/],
      ['timeZone', /^must be an IANA time zone/],
      ['reportingDayCutoff', /^must be a local time HH:MM/],
      ['weaponClasses[0].calibreMm', /^the range is empty/],
      ['zones[1].distanceKm', /^must be a number, not string$/],
      ['commission.decisionRule', /^must be one of "chair-decides", "majority", "consensus"$/],
    ],
    'broken/duplicate-ids.yaml': [
      [
        'weaponClasses[1].id',
        /^duplicate weapon class "artillery-100mm-plus": weaponClasses\[0\] has the same id$/,
      ],
      ['zones[2].id', /^duplicate zone "artillery-withdrawal": zones\[1\] has the same id$/],
      // The renamed zone is now missing where the conduct refers to it.
      ['prohibitedConduct[1].zones[1]', /^refers to unknown zone "mlrs-withdrawal"$/],
    ],
    'broken/missing-and-unknown-fields.yaml': [
      ['timeZone', /^is required$/],
      ['parties[0].colour', /^is not a known field$/],
      ['zones[0].distanceKm', /^is required$/],
      ['zones[0].distance_km', /^is not a known field$/],
    ],
    'broken/overlapping-sides.yaml': [
      [
        'sides[1].geometry',
        /^overlaps the side of party "alpha" \(sides\[0\]\) by about \d+ km²: sides must not overlap$/,
      ],
    ],
    'broken/party-without-line-or-side.yaml': [
      ['parties[2]', /^party "charlie" has no reference line/],
      ['parties[2]', /^party "charlie" has no side/],
    ],
    'broken/position-outside-area.yaml': [
      [
        'referenceLines[0].geometry.coordinates[2]',
        /^\[30\.5, 50\.4\] lies outside the area of application \[36\.9, 47\.4, 39\.1, 48\.6\]$/,
      ],
    ],
    'broken/self-intersecting-line.yaml': [
      [
        'referenceLines[1].geometry.coordinates',
        /^the line crosses itself near \[38\.09\d*, 48\.11\d*\]: the segment from position 1 to 2 meets the segment from position 3 to 4$/,
      ],
    ],
    'broken/swapped-coordinates.yaml': [
      [
        'referenceLines[0].geometry.coordinates[1]',
        /^latitude and longitude appear swapped: \[48\.2, 38\.1\] lies outside .* but \[38\.1, 48\.2\] lies inside/,
      ],
      [
        'zones[3].geometry.coordinates',
        /^latitude and longitude appear swapped: all 5 positions lie outside the area of application/,
      ],
    ],
    'broken/syntax-error.yaml': [['(root)', /^is not valid YAML: .*\(line 21, column 1\)$/]],
    'broken/unknown-references.yaml': [
      ['referenceLines[1].parties[1]', /^refers to unknown party "charlie"$/],
      ['zones[1].weaponClasses[0]', /^refers to unknown weapon class "artillery-over-100mm"$/],
      ['prohibitedConduct[2].zones[1]', /^refers to unknown zone "da-north"$/],
    ],
    'broken/wrong-ring-order.yaml': [
      [
        'zones[3].geometry.coordinates[0]',
        /^the exterior ring runs clockwise, but RFC 7946 wants exterior rings counter-clockwise/,
      ],
    ],
    'broken/zone-distance-not-positive.yaml': [['zones[2].distanceKm', /^must be greater than 0$/]],
  };

  it('has an expectation for every broken fixture', () => {
    assert.deepEqual(brokenFixtures(), Object.keys(expected).sort());
  });

  for (const [name, problems] of Object.entries(expected))
    it(`${name}: reports exactly its problems`, () => {
      const { agreement, issues } = parseAgreement(
        fixtureText(name),
        name.endsWith('.json') ? 'json' : 'yaml',
      );
      assert.equal(agreement, undefined);
      assert.equal(issues.length, problems.length, JSON.stringify(issues, null, 2));
      problems.forEach(([path, reason], i) => {
        assert.equal(issues[i]?.path, path);
        assert.match(issues[i]?.reason ?? '', reason);
      });
    });
});

describe('parseAgreement: every problem at once', () => {
  it('reports schema, geometry, reference and amendment problems in one pass', () => {
    const issues = changed((doc) => {
      doc.zones[2] = { ...doc.zones[2], distanceKm: -5 };
      doc.referenceLines[0]!.geometry.coordinates[1] = [48.2, 38.1];
      doc.zones[1] = { ...doc.zones[1], weaponClasses: ['howitzers'] };
      (doc.amendments[1] as { effectiveAt: string }).effectiveAt = '2026-03-02T00:00:00Z';
    });
    assert.deepEqual(
      issues.map((issue) => issue.path),
      [
        'zones[2].distanceKm',
        'referenceLines[0].geometry.coordinates[1]',
        'zones[1].weaponClasses[0]',
        'amendments[1].effectiveAt',
      ],
    );
  });

  it('does not report a reference to an item that is itself malformed as unknown', () => {
    const issues = changed((doc) => {
      doc.zones[1] = { ...doc.zones[1], distanceKm: 0 };
    });
    assert.deepEqual(issues, [{ path: 'zones[1].distanceKm', reason: 'must be greater than 0' }]);
  });

  it('reports a broken reference once, at the first version it breaks in', () => {
    const issues = changed((doc) => {
      doc.amendments[0] = {
        ...doc.amendments[0],
        changes: { weaponClasses: { remove: ['mlrs'] } },
      };
    });
    assert.deepEqual(issues, [
      {
        path: 'zones[2].weaponClasses[0]',
        reason: 'refers to weapon class "mlrs", which is not in the terms of version per-party-lines@2',
      },
    ]);
  });
});

describe('parseAgreement: each kind of mistake names the field and the reason', () => {
  it('text that is not YAML, or not JSON, or not an object', () => {
    assert.match(
      parseAgreement('a: [1, 2\nb: 3\n', 'yaml').issues[0]?.reason ?? '',
      /^is not valid YAML: .*\(line 2, column 1\)$/,
    );
    assert.match(parseAgreement('{"id": }', 'json').issues[0]?.reason ?? '', /^is not valid JSON: /);
    assert.deepEqual(parseAgreement('- a\n- b\n', 'yaml').issues, [
      { path: '(root)', reason: 'must be an object, not an array' },
    ]);
    assert.deepEqual(parseAgreement('', 'yaml').issues, [
      { path: '(root)', reason: 'must be an object, not null' },
    ]);
  });

  it('a YAML key written twice', () => {
    const text = fixtureText('per-party-lines.yaml').replace(
      'timeZone: Europe/Kyiv\n',
      'timeZone: Europe/Kyiv\ntimeZone: UTC\n',
    );
    assert.match(parseAgreement(text, 'yaml').issues[0]?.reason ?? '', /Map keys must be unique/);
  });

  it('a document larger than the limit', () => {
    const { issues } = parseAgreement(' '.repeat(16 * 1024 * 1024 + 1), 'yaml');
    assert.match(issues[0]?.reason ?? '', /an agreement may have at most/);
  });

  it('the wrong format tag', () => {
    assert.deepEqual(
      reasonAt(
        changed((doc) => (doc.format = 'truceline-agreement/9')),
        'format',
      ),
      ['must be "truceline-agreement/1"'],
    );
  });

  it('a latitude beyond 90 that would fit as a longitude', () => {
    const issues = changed((doc) => (doc.referenceLines[0]!.geometry.coordinates[0] = [48.5, 138.0]));
    assert.match(
      reasonAt(issues, 'referenceLines[0].geometry.coordinates[0][1]')[0] ?? '',
      /latitude and longitude appear swapped/,
    );
  });

  it('a zone of an unknown kind', () => {
    const issues = changed((doc) => (doc.zones[0] = { ...doc.zones[0], kind: 'demilitarised' }));
    assert.deepEqual(reasonAt(issues, 'zones[0].kind'), [
      'must be one of "buffer", "limitation", "disengagement-area"',
    ]);
  });

  it('a label holding a NUL character, another control character or a lone surrogate', () => {
    const reason = 'must not contain control characters (but tab and line ends) or unpaired surrogates';
    for (const label of ['Buffer\u0000zone', 'Buffer\u001bzone', 'Buffer\ud800zone']) {
      const issues = changed((doc) => (doc.zones[0] = { ...doc.zones[0], label }));
      assert.deepEqual(reasonAt(issues, 'zones[0].label'), [reason], JSON.stringify(label));
    }
    assert.deepEqual(
      changed((doc) => (doc.zones[0] = { ...doc.zones[0], label: 'Buffer\tzone \ud83d\ude00\nline' })),
      [],
    );
  });

  it('an event kind the taxonomy does not know', () => {
    const issues = changed(
      (doc) => (doc.prohibitedConduct[0] = { ...doc.prohibitedConduct[0], eventKinds: ['shelling'] }),
    );
    assert.match(
      reasonAt(issues, 'prohibitedConduct[0].eventKinds[0]')[0] ?? '',
      /^must be one of "explosion"/,
    );
  });

  it('an area of application with neither admin-1 codes nor a bbox, and a bbox the wrong way round', () => {
    assert.deepEqual(
      reasonAt(
        changed((doc) => (doc.areaOfApplication = {})),
        'areaOfApplication',
      ),
      ['must give admin1 codes, a bbox, or both'],
    );
    const issues = changed((doc) => (doc.areaOfApplication = { bbox: [39.1, 47.4, 36.9, 48.6] }));
    assert.match(
      reasonAt(issues, 'areaOfApplication.bbox')[0] ?? '',
      /^west \(first\) must be less than east/,
    );
  });

  it('an admin-1 code that is not ISO 3166-2, and one named twice', () => {
    const issues = changed(
      (doc) =>
        (doc.areaOfApplication = { admin1: ['UA-14', 'Donetsk', 'UA-14'], bbox: [36.9, 47.4, 39.1, 48.6] }),
    );
    assert.deepEqual(reasonAt(issues, 'areaOfApplication.admin1[1]'), [
      'must be an ISO 3166-2 code such as UA-14',
    ]);
  });

  it('a weapon class limited twice for the same party', () => {
    const issues = changed(
      (doc) => (doc.zones[2] = { ...doc.zones[2], weaponClasses: ['mlrs', 'artillery-100mm-plus'] }),
    );
    assert.match(
      reasonAt(issues, 'zones[2].weaponClasses[1]')[0] ?? '',
      /^weapon class "artillery-100mm-plus" is already limited by zone "artillery-withdrawal" \(zones\[1\]\) for the same parties/,
    );
  });

  it('a party on two reference lines', () => {
    const issues = changed((doc) => (doc.referenceLines[1]!.parties = ['bravo', 'alpha']));
    assert.match(
      reasonAt(issues, 'referenceLines[1].parties[1]')[0] ?? '',
      /^party "alpha" already measures from reference line "contact-line"/,
    );
  });

  it('a chair who represents a party while parties are recused, and a member named twice', () => {
    const issues = changed((doc) => {
      doc.commission.chair = 'rep-alpha';
      doc.commission.members.push({ id: 'obs-1', name: 'Again' });
    });
    assert.match(reasonAt(issues, 'commission.chair')[0] ?? '', /^the chair represents party "alpha"/);
    assert.deepEqual(reasonAt(issues, 'commission.members[5].id'), [
      'duplicate member "obs-1": commission.members[1].id has the same',
    ]);
  });

  it('a quorum larger than the Commission', () => {
    const issues = changed((doc) => (doc.commission.quorum = 6));
    assert.deepEqual(reasonAt(issues, 'commission.quorum'), [
      'a quorum of 6 cannot be met: there are 5 members',
    ]);
  });

  it('amendments with the same id, one before the agreement itself, one that changes nothing', () => {
    const issues = changed((doc) => {
      doc.amendments[0] = { ...doc.amendments[0], effectiveAt: '2026-02-01T00:00:00Z' };
      doc.amendments[1] = { ...doc.amendments[1], id: 'mortars' };
      doc.amendments.push({
        id: 'nothing',
        title: 'Nothing',
        effectiveAt: '2026-09-01T00:00:00Z',
        changes: {},
      });
    });
    assert.match(
      reasonAt(issues, 'amendments[0].effectiveAt')[0] ?? '',
      /not later than the agreement's effectiveAt/,
    );
    assert.deepEqual(reasonAt(issues, 'amendments[1].id'), [
      'duplicate amendment "mortars": amendments[0] has the same id',
    ]);
    assert.deepEqual(reasonAt(issues, 'amendments[2].changes'), ['must change at least one section']);
  });

  it('a disengagement area whose hole lies outside it, and a ring that is not closed', () => {
    const issues = changed((doc) => {
      (doc.zones[3] as { geometry: unknown }).geometry = {
        type: 'Polygon',
        coordinates: [
          [
            [37.96, 48.03],
            [38.04, 48.03],
            [38.04, 48.07],
            [37.96, 48.07],
            [37.96, 48.03],
          ],
          [
            [38.2, 48.1],
            [38.2, 48.12],
            [38.22, 48.12],
            [38.22, 48.1],
            [38.2, 48.1],
          ],
        ],
      };
      (doc.zones[0] as { id: string }).id = 'buffer';
    });
    assert.deepEqual(reasonAt(issues, 'zones[3].geometry.coordinates[1]'), [
      'the hole lies outside its exterior ring',
    ]);
    const open = changed((doc) => {
      (doc.zones[3] as { geometry: unknown }).geometry = {
        type: 'Polygon',
        coordinates: [
          [
            [37.96, 48.03],
            [38.04, 48.03],
            [38.04, 48.07],
            [37.96, 48.07],
          ],
        ],
      };
    });
    assert.match(reasonAt(open, 'zones[3].geometry.coordinates[0]')[0] ?? '', /^the ring is not closed/);
  });

  it('an area of application given by admin-1 codes only: the sides make the extent', () => {
    const ok = changed((doc) => (doc.areaOfApplication = { admin1: ['UA-14'] }));
    assert.deepEqual(ok, []);
    const issues = changed((doc) => {
      doc.areaOfApplication = { admin1: ['UA-14'] };
      doc.referenceLines[0]!.geometry.coordinates[0] = [38.0, 49.5];
    });
    assert.match(
      reasonAt(issues, 'referenceLines[0].geometry.coordinates[0]')[0] ?? '',
      /lies outside the area of application/,
    );
  });
});

describe('parseAgreement: an amendment that narrows the area of application', () => {
  it('checks the lines and areas already in force against the new area', () => {
    const doc = parseYaml(fixtureText('per-party-lines.yaml')) as { amendments: Record<string, unknown>[] };
    doc.amendments.push({
      id: 'smaller-area',
      title: 'A smaller area',
      effectiveAt: '2026-09-01T00:00:00Z',
      changes: { areaOfApplication: { bbox: [36.9, 47.4, 39.1, 48.45] } },
    });
    const { issues } = parseAgreement(JSON.stringify(doc), 'json');
    assert.deepEqual(
      issues.map((issue) => issue.path),
      ['referenceLines[0].geometry.coordinates[0]', 'referenceLines[1].geometry.coordinates[0]'],
    );
    assert.match(
      issues[0]?.reason ?? '',
      /^\[38, 48\.5\] lies outside the area of application \[36\.9, 47\.4, 39\.1, 48\.45\]$/,
    );
  });
});

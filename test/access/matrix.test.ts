// The access matrix: every route the server has, for every kind of caller, against the outcomes written
// by hand in matrix.csv (see its header for the grammar). The routes come from Fastify itself, so a
// route added without a row in the matrix fails here.
//
// Listing the routes: buildApp (src/api/build-app.ts) creates the Fastify instance and registers every
// route before it returns, so an `onRoute` hook can no longer be added by a test. The one public
// listing left is `app.printRoutes({ commonPrefix: false })`: a tree of path segments with each node's
// methods, parsed below back into full paths (a child's path is its parent's path plus its segment).
// `app.hasRoute` only answers for a route one already knows, so it cannot find a route missing from
// the CSV.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/application/access/create-user.ts';
import { FusionPipeline } from '../../src/application/fusion-pipeline.ts';
import { registerAgreement } from '../../src/application/register-agreement.ts';
import type { OrgKind, Role } from '../../src/core/access/organisations.ts';
import { actOnVerification } from '../../src/application/verification/act-on-verification.ts';
import { storeAttachment } from '../../src/application/evidence/store-attachment.ts';
import type { Actor } from '../../src/core/verification/actor.ts';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { fusionLogic } from '../../src/main.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';
import { fireScenario } from '../helpers/fusion-scenario.ts';

interface Row {
  readonly line: number;
  readonly route: string;
  readonly method: string;
  readonly role: string;
  readonly orgKind: string;
  readonly expect: 'allow' | 'deny' | 'hidden';
  readonly fields: readonly string[];
}

const CSV = new URL('./matrix.csv', import.meta.url);

function readMatrix(): Row[] {
  const lines = readFileSync(CSV, 'utf8').split('\n');
  const rows: Row[] = [];
  let header: string | undefined;
  lines.forEach((text, index) => {
    if (text.trim() === '' || text.startsWith('#')) return;
    if (header === undefined) {
      header = text;
      assert.equal(text, 'route,method,role,org_kind,expect,fields', 'matrix.csv: unexpected header');
      return;
    }
    const cells = text.split(',');
    assert.equal(cells.length, 6, `matrix.csv line ${index + 1}: 6 cells expected: ${text}`);
    const [route = '', method = '', role = '', orgKind = '', expect = '', fields = ''] = cells;
    assert.ok(
      expect === 'allow' || expect === 'deny' || expect === 'hidden',
      `matrix.csv line ${index + 1}: expect must be allow, deny or hidden, not ${expect}`,
    );
    rows.push({
      line: index + 1,
      route,
      method,
      role,
      orgKind,
      expect,
      fields: fields === '' ? [] : fields.split('|'),
    });
  });
  return rows;
}

/** Every route and method the server has, from `printRoutes`' tree (see the note at the top). */
function serverRoutes(app: FastifyInstance): { route: string; method: string }[] {
  const found: { route: string; method: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    if (line.trim() === '') continue;
    const match = /^((?:│ {3}| {4})*)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    assert.ok(match !== null, `cannot read printRoutes line ${JSON.stringify(line)}`);
    const depth = (match[1] ?? '').length / 4;
    const path = `${depth === 0 ? '' : (stack[depth - 1] ?? '')}${match[2] ?? ''}`;
    stack[depth] = path;
    stack.length = depth + 1;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()))
      if (method !== '') found.push({ route: path, method });
  }
  return found;
}

/** A CSV route covers a server route: the same, or a `/x/*` group covering `/x` and all below. */
const covers = (pattern: string, route: string): boolean =>
  pattern === route ||
  (pattern.endsWith('/*') &&
    (route === pattern.slice(0, -2) || route.startsWith(pattern.slice(0, -1)) || route === pattern));

/** The callers every route has a row for. */
const CALLERS: readonly (readonly [string, string])[] = [
  ['chair', 'chair'],
  ['commissioner', 'chair'],
  ['coordinator', 'chair'],
  ['auditor', 'chair'],
  ['commissioner', 'member'],
  ['coordinator', 'member'],
  ['auditor', 'member'],
  ['party-liaison', 'party:ua'],
  ['commissioner', 'party:ua'],
  ['auditor', 'party:ua'],
  ['party-liaison', 'party:ru'],
  ['commissioner', 'party:ru'],
  ['auditor', 'party:ru'],
  ['monitor', 'mission'],
  ['analyst', 'mission'],
  ['verifier', 'mission'],
  ['auditor', 'mission'],
  ['admin', 'mission'],
  ['-', 'public'],
];

/** The organisation each org_kind of the CSV stands for. */
const ORGS: Readonly<Record<string, { id: string; kind: OrgKind }>> = {
  chair: { id: 'chair-org', kind: 'chair' },
  member: { id: 'member-org', kind: 'member' },
  'party:ua': { id: 'ua', kind: 'party' },
  'party:ru': { id: 'ru', kind: 'party' },
  mission: { id: 'mission', kind: 'mission' },
};

/** The sources a `source` row signs as, by org_kind. */
const SIGNERS: Readonly<Record<string, string>> = { mission: 'patrol-1', 'party:ua': 'ua-post-1' };

/** How long a stream may take to send its status and headers. */
const STREAM_ANSWER_MS = 5_000;
const WEB_PASSWORD = 'matrix-web-password-1';
const PATROL_TIME = Date.parse('2019-06-01T10:04:00Z');

// ---- field checks -------------------------------------------------------------------------------

type Json = unknown;

function has(value: Json, parts: readonly string[]): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => has(v, parts));
  const [head, ...rest] = parts;
  if (head === undefined) return true;
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return false;
  return has((value as Record<string, Json>)[head], rest);
}

function absent(value: Json, parts: readonly string[]): boolean {
  if (Array.isArray(value)) return value.every((v) => absent(v, parts));
  const [head, ...rest] = parts;
  if (head === undefined) return false;
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return true;
  return absent((value as Record<string, Json>)[head], rest);
}

function equals(value: Json, parts: readonly string[], expected: string): boolean {
  if (Array.isArray(value)) return value.length > 0 && value.every((v) => equals(v, parts, expected));
  const [head, ...rest] = parts;
  if (head === undefined) return (typeof value === 'string' ? value : JSON.stringify(value)) === expected;
  if (typeof value !== 'object' || value === null || !Object.hasOwn(value, head)) return false;
  return equals((value as Record<string, Json>)[head], rest, expected);
}

/** The records of an answer: a page's items, an item's revisions, else the body itself. */
function recordsOf(body: Json): Json[] {
  if (typeof body === 'object' && body !== null) {
    const { items, revisions } = body as { items?: unknown; revisions?: unknown };
    if (Array.isArray(items)) return items as Json[];
    if (Array.isArray(revisions)) return revisions as Json[];
  }
  return [body];
}

/** What is wrong with the answer's fields (empty: nothing). */
function fieldProblems(body: Json, fields: readonly string[]): string[] {
  const checks = fields.filter((f) => !f.startsWith('http='));
  if (checks.length === 0) return [];
  const records = recordsOf(body);
  if (records.length === 0) return ['no record in the answer to check fields on'];
  const problems: string[] = [];
  for (const field of checks) {
    if (field.startsWith('!')) {
      const parts = field.slice(1).split('.');
      if (!records.every((r) => absent(r, parts))) problems.push(`${field.slice(1)} present`);
    } else if (field.includes('=')) {
      const [path = '', expected = ''] = field.split('=');
      const parts = path.split('.');
      if (!records.every((r) => equals(r, parts, expected)))
        problems.push(`${path} is not ${expected} in every record`);
    } else if (!records.every((r) => has(r, field.split('.')))) problems.push(`${field} missing`);
  }
  return problems;
}

// ---- the test -----------------------------------------------------------------------------------

describe('access matrix (test/access/matrix.csv)', () => {
  const matrix = readMatrix();
  let h: Harness;
  let base: string;
  const tokens = new Map<string, string>();
  const params = new Map<string, string>();
  let posted = 0;

  before(async () => {
    h = await startHarness();
    const scenario = await fireScenario(2, 0);
    await registerAgreement(h.deps, { text: scenario.agreementText, format: 'yaml' });
    for (const source of scenario.sources) {
      const registration = {
        ...source,
        orientationDeg: 90,
        capabilities: { band: '20-2000Hz', sampleRateHz: 8000 },
      };
      await h.addSource(registration);
    }
    await h.addSource({ id: 'patrol-1', kind: 'patrol', organisation: 'mission' });
    // Each party's complaint source (registered with the agreement) gets its key.
    for (const party of ['ua', 'ru-af'])
      await h.addSource({ id: party, kind: 'complaint', organisation: party });
    await h.addSource({ id: 'ua-post-1', kind: 'complaint', organisation: 'ua' });

    const send = async (records: readonly Record<string, unknown>[]) => {
      const response = await h.inject({
        method: 'POST',
        url: '/api/v1/observations',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(records),
      });
      assert.equal(response.statusCode, 200, response.body);
      const report = response.json<{ accepted: number; lastSeq: number | null }>();
      assert.equal(report.accepted, records.length, response.body);
      return report.lastSeq ?? 0;
    };
    for (const source of scenario.sources)
      await send(scenario.records.filter((r) => r.sourceId === source.id));
    const patrolSeq = await send([
      {
        id: 'patrol-report-1',
        sourceId: 'patrol-1',
        kind: 'patrol',
        observedAt: new Date(PATROL_TIME).toISOString(),
        timeUncertaintyMs: 60_000,
        payload: {
          observer: { lat: 48.3, lon: 37.6, ceM: 10 },
          patrolId: 'patrol-7',
          report: 'fire',
          mode: 'heard',
          eventType: 'explosion',
          direction: 'incoming',
          distanceBand: { minKm: 2, maxKm: 4 },
          bearingDeg: 90,
          count: 1,
        },
      },
    ]);
    await send([complaint('ua-complaint-1')]);
    await new FusionPipeline(h.deps, fusionLogic, { agreementId: 'donbas-2015' }).run(true);
    // ac-1 as if it had flooded: what fusion set aside of it is shown beside its state (not to parties).
    await h.deps.store.fusion.commit({
      events: [],
      violations: [],
      setAside: [{ seq: 1, sourceId: 'ac-1', timeMs: PATROL_TIME, reason: 'crowded' }],
      cursorSeq: 0,
      committedAtMs: h.deps.clock.now(),
    });

    const events = await h.deps.store.fusion.listEvents({ limit: 100 });
    const event = events.find((e) => e.event.location !== null && e.event.provenance.length > 1);
    const violation = (await h.deps.store.fusion.listViolations({ limit: 100 }))[0];
    assert.ok(event !== undefined, 'the fixture has an event with a location');
    assert.ok(violation !== undefined, 'the fixture has a potential violation');
    params.set('/api/v1/observations/:seq', String(patrolSeq));
    params.set('/api/v1/sources/:id', 'ac-1');
    params.set('/api/v1/agreements/:id', 'donbas-2015');
    params.set('/api/v1/agreements/:id/terms', 'donbas-2015');
    params.set('/api/v1/events/:id', event.event.id);
    params.set('/api/v1/violations/:id', violation.violation.id);
    params.set('/api/v1/violations/:id/verification', violation.violation.id);
    params.set('/api/v1/violations/:id/findings', violation.violation.id);
    params.set('/api/v1/ledger/entries/:index', '0');
    // A verification item (triaged: version 2) and a piece of the mission's evidence.
    const analyst: Actor = { userId: 'matrix-analyst', orgId: 'mission', role: 'analyst' };
    const item = await actOnVerification(h.deps, {
      kind: 'potential-violation',
      subjectId: violation.violation.id,
      expectedVersion: 1,
      step: { type: 'verify' },
      by: analyst,
    });
    params.set('/api/v1/verification/:id', item.id);
    params.set('/api/v1/verification/:id/steps', item.id);
    const evidence = Buffer.from('matrix evidence');
    const sha = createHash('sha256').update(evidence).digest('hex');
    await storeAttachment(h.deps, {
      sha256: sha,
      mediaType: 'text/plain',
      body: Readable.from([evidence]),
      by: { userId: 'matrix-monitor', orgId: 'mission', orgKind: 'mission' },
    });
    params.set('/api/v1/attachments/:sha256', sha);

    await createUser(h.deps, { orgId: 'mission', role: 'monitor', name: 'web-user', password: WEB_PASSWORD });
    for (const [role, kind] of CALLERS) {
      const org = ORGS[kind];
      if (org === undefined) continue;
      tokens.set(
        `${role}@${kind}`,
        await h.tokenFor({
          orgId: org.id,
          kind: org.kind,
          role: role as Role,
          scopes: role === 'admin' ? 'read,ingest,act,admin' : 'read,ingest,act',
        }),
      );
    }
    base = await h.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => h.close());

  function complaint(id: string): Record<string, unknown> {
    return {
      id,
      sourceId: 'ua-post-1',
      kind: 'complaint',
      observedAt: '2019-06-01T10:30:00Z',
      timeUncertaintyMs: 600_000,
      location: { lat: 48.4, lon: 37.7, ceM: 500 },
      payload: { complainant: 'ua', accused: 'ru-af', allegation: 'ceasefire-violation' },
    };
  }

  test('every route the server has is in the matrix, and every route of the matrix exists', () => {
    const routes = serverRoutes(h.app);
    assert.ok(routes.some((r) => r.route === '/api/v1/observations' && r.method === 'POST'));
    const missing = routes.filter(
      ({ route, method }) =>
        !matrix.some(
          (row) =>
            covers(row.route, route) &&
            (row.method === method || (method === 'HEAD' && row.method === 'GET')),
        ),
    );
    assert.deepEqual(
      missing.map((r) => `${r.method} ${r.route}`),
      [],
      'routes without a row in matrix.csv',
    );
    const stale = [...new Set(matrix.map((r) => `${r.method} ${r.route}`))].filter((key) => {
      const [method, route = ''] = key.split(' ');
      return !routes.some((r) => r.method === method && covers(route, r.route));
    });
    assert.deepEqual(stale, [], 'rows of matrix.csv for routes the server does not have');
  });

  test('the matrix has one row per route, method and caller', () => {
    const groups = new Map<string, Row[]>();
    for (const row of matrix) {
      const key = `${row.method} ${row.route}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    const problems: string[] = [];
    for (const [key, rows] of groups) {
      const callers = rows.map((r) => `${r.role}@${r.orgKind}`);
      const duplicates = callers.filter((c, i) => callers.indexOf(c) !== i);
      if (duplicates.length > 0) problems.push(`${key}: duplicate rows for ${duplicates.join(', ')}`);
      for (const [role, kind] of CALLERS)
        if (!callers.includes(`${role}@${kind}`)) problems.push(`${key}: no row for ${role}@${kind}`);
    }
    assert.deepEqual(problems, []);
  });

  /** The concrete URLs a row stands for (a `/x/*` group: every server route below it). */
  function urlsOf(row: Row): { route: string; url: string }[] {
    const routes = row.route.endsWith('/*')
      ? [...new Set(serverRoutes(h.app).map((r) => r.route))].filter((r) => covers(row.route, r))
      : [row.route];
    return routes.map((route) => {
      const param = params.get(route);
      const url = route
        .replace(/:[a-z][a-z0-9]*/, encodeURIComponent(param ?? 'x'))
        .replace(/\*$/, 'static/swagger-ui.css');
      return { route, url };
    });
  }

  interface Answer {
    readonly status: number;
    readonly contentType: string;
    readonly body: Json;
    /** Why there is no answer. */
    readonly note?: string;
  }

  async function call(row: Row, method: string, url: string): Promise<Answer> {
    const token = tokens.get(`${row.role}@${row.orgKind}`);
    const authorization: Record<string, string> =
      token === undefined ? {} : { authorization: `Bearer ${token}` };
    if (url.startsWith('/api/v1/stream')) {
      // A stream never ends: its answer is its status and headers, which must come at once.
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), STREAM_ANSWER_MS);
      try {
        const response = await fetch(`${base}${url}`, {
          method,
          headers: authorization,
          signal: abort.signal,
        });
        const contentType = response.headers.get('content-type') ?? '';
        const body: Json = contentType.includes('json') ? await response.json() : null;
        return { status: response.status, contentType, body };
      } catch (error) {
        if (!abort.signal.aborted) throw error;
        return { status: 0, contentType: '', body: null, note: `no answer within ${STREAM_ANSWER_MS} ms` };
      } finally {
        clearTimeout(timer);
        abort.abort();
      }
    }
    let answer;
    if (method === 'POST' && url === '/api/v1/observations') {
      posted += 1;
      const signer = row.role === 'source' ? SIGNERS[row.orgKind] : undefined;
      if (row.role === 'source')
        assert.ok(signer !== undefined, `line ${row.line}: no source signs as ${row.orgKind}`);
      const record =
        signer === 'ua-post-1'
          ? complaint(`matrix-${posted}`)
          : {
              id: `matrix-${posted}`,
              sourceId: signer ?? 'patrol-1',
              kind: 'patrol',
              observedAt: new Date(PATROL_TIME + posted * 1000).toISOString(),
              timeUncertaintyMs: 60_000,
              payload: {
                observer: { lat: 48.3, lon: 37.6, ceM: 10 },
                report: 'impediment',
                impediment: 'denied',
              },
            };
      answer = await h.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', ...authorization },
        payload: JSON.stringify([record]),
        anonymous: true,
        ...(signer === undefined ? { unsigned: true } : { signAs: signer }),
      });
    } else {
      const payload =
        url === '/auth/login'
          ? { name: 'web-user', password: WEB_PASSWORD }
          : method === 'POST' && url === '/api/v1/sources'
            ? {
                id: `matrix-source-${(posted += 1)}`,
                kind: 'camera',
                organisation: 'mission',
                position: { lat: 48.2, lon: 37.9 },
              }
            : undefined;
      answer = await h.app.inject({
        method: method as 'GET',
        url,
        headers:
          payload === undefined ? authorization : { ...authorization, 'content-type': 'application/json' },
        ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
      });
    }
    const contentType = String(answer.headers['content-type'] ?? '');
    const body: Json = contentType.includes('json') && answer.body !== '' ? answer.json() : null;
    return { status: answer.statusCode, contentType, body };
  }

  /** What is wrong with one answer (empty: nothing). */
  function problemsOf(row: Row, route: string, method: string, answer: Answer): string[] {
    const http = row.fields.find((f) => f.startsWith('http='));
    const status = http === undefined ? undefined : Number(http.slice(5));
    const code = (answer.body as { code?: string } | null)?.code;
    if (answer.note !== undefined) return [answer.note];
    const problems: string[] = [];
    const withBody = method !== 'HEAD';
    if (row.expect === 'deny') {
      const expected = status ?? (row.orgKind === 'public' ? 401 : 403);
      if (answer.status !== expected) problems.push(`status ${answer.status}, expected ${expected}`);
      if (withBody) {
        const codeField = row.fields.some((f) => f.startsWith('code='));
        const expectedCode = row.orgKind === 'public' ? 'E_UNAUTHENTICATED' : 'E_FORBIDDEN';
        if (!codeField && code !== expectedCode)
          problems.push(`code ${String(code)}, expected ${expectedCode}`);
        problems.push(...fieldProblems(answer.body, row.fields));
      }
    } else if (row.expect === 'hidden') {
      const single = route.includes('/:');
      const expected = single ? 404 : 200;
      if (answer.status !== expected) problems.push(`status ${answer.status}, expected ${expected}`);
      else if (withBody && single && code !== 'E_NOT_FOUND')
        problems.push(`code ${String(code)}, expected E_NOT_FOUND`);
      else if (withBody && !single && recordsOf(answer.body).length !== 0)
        problems.push(`${recordsOf(answer.body).length} records released, expected none`);
    } else {
      const ok =
        status === undefined ? answer.status >= 200 && answer.status < 400 : answer.status === status;
      if (!ok)
        problems.push(
          `status ${answer.status}${code === undefined ? '' : ` ${code}`}, expected ${status ?? '2xx/3xx'}`,
        );
      else if (withBody) {
        if (route === '/api/v1/stream' && !answer.contentType.startsWith('text/event-stream'))
          problems.push(`content-type ${answer.contentType}`);
        problems.push(...fieldProblems(answer.body, row.fields));
      }
    }
    return problems;
  }

  const groups = [...new Set(matrix.map((r) => `${r.method} ${r.route}`))];
  // A GET's HEAD is tried where the server has one (not the stream: a HEAD of it could never end).
  const hasHead = (route: string): boolean =>
    serverRoutes(h.app).some((r) => r.method === 'HEAD' && covers(route, r.route));
  for (const group of groups) {
    test(group, async () => {
      const calls = matrix
        .filter((r) => `${r.method} ${r.route}` === group)
        .flatMap((row) =>
          urlsOf(row).flatMap(({ route, url }) =>
            (row.method === 'GET' && hasHead(row.route) ? ['GET', 'HEAD'] : [row.method]).map((method) => ({
              row,
              route,
              url,
              method,
            })),
          ),
        );
      const check = async ({ row, route, url, method }: (typeof calls)[number]) =>
        problemsOf(row, route, method, await call(row, method, url)).map(
          (problem) => `line ${row.line}: ${method} ${url} as ${row.role}@${row.orgKind}: ${problem}`,
        );
      // Streams stay open, and one that does not answer is waited for: those are tried all at once.
      const failures = group.endsWith('/api/v1/stream') ? (await Promise.all(calls.map(check))).flat() : [];
      if (!group.endsWith('/api/v1/stream')) for (const c of calls) failures.push(...(await check(c)));
      assert.deepEqual(failures, []);
    });
  }
});

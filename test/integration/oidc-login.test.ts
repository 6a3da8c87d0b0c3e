// Sign-in through OpenID Connect, end to end: a real provider (oidc-provider, with its development
// login form that accepts any login) on 127.0.0.1, the real application on a real SQLite file,
// listening on 127.0.0.1, and the real relying party (openid-client). A "browser" made of `fetch`
// with manual redirects and cookies carried by hand goes login → provider → login form → consent →
// callback → session.
//
// The application's public URL is https://truceline.test (TLS ends at a proxy, as in production);
// the browser sends what is addressed there to the application's loopback address.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { OpenidOidcClient } from '../../src/adapters/oidc/openid-oidc-client.ts';
import { createUser } from '../../src/application/access/create-user.ts';
import type { OidcClient } from '../../src/core/ports/oidc-client.ts';
import { startHarness, type Harness } from '../helpers/app-harness.ts';

const PUBLIC_ORIGIN = 'https://truceline.test';
const REDIRECT_URI = `${PUBLIC_ORIGIN}/auth/oidc/callback`;
const CLIENT_ID = 'truceline';
const CLIENT_SECRET = 'a-client-secret-long-enough-for-hs256-0123456789';

/** The little of oidc-provider's API the test uses (the package ships no types). */
interface ProviderModule {
  default: new (
    issuer: string,
    configuration: Record<string, unknown>,
  ) => { callback(): (req: IncomingMessage, res: ServerResponse) => void };
}

interface IdentityProvider {
  readonly issuer: string;
  close(): Promise<void>;
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An OpenID provider on 127.0.0.1 whose login form accepts any login: the login becomes `sub`. */
async function startProvider(): Promise<IdentityProvider> {
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handle(req, res));
  const issuer = await listen(server);
  // A variable specifier: the package has no type declarations, so the module is typed by hand.
  const specifier = 'oidc-provider';
  const { default: Provider } = (await import(specifier)) as ProviderModule;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [REDIRECT_URI],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    findAccount: (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: () => ({ sub, name: `Person ${sub}` }),
    }),
    cookies: { keys: ['test-cookie-key'] },
    // Refuse a code exchanged without its verifier, whatever the client.
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
    },
  });
  handle = provider.callback();
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
}

/** A browser: `fetch` with no automatic redirects, cookies kept per origin and path. */
class Browser {
  readonly #cookies = new Map<string, Cookie[]>();

  constructor(private readonly appBase: string) {}

  /** Where a URL is really sent: the application's public origin goes to its loopback address. */
  #target(url: URL): URL {
    return url.origin === PUBLIC_ORIGIN ? new URL(url.pathname + url.search, this.appBase) : url;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.#cookies.get(origin)?.find((c) => c.name === name)?.value;
  }

  setCookie(origin: string, name: string, value: string): void {
    this.#store(new URL(origin), `${name}=${value}; Path=/`);
  }

  async request(
    url: string | URL,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const address = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    const cookies = (this.#cookies.get(address.origin) ?? []).filter((c) =>
      address.pathname.startsWith(c.path),
    );
    if (cookies.length > 0) headers.cookie = cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    let body: string | undefined;
    if (init.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const response = await fetch(this.#target(address), {
      method: init.method ?? 'GET',
      headers,
      body,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) this.#store(address, line);
    return response;
  }

  #store(address: URL, line: string): void {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = val;
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true;
      if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true;
    }
    const jar = (this.#cookies.get(address.origin) ?? []).filter((c) => c.name !== name || c.path !== path);
    if (!expired) jar.push({ name, value, path });
    this.#cookies.set(address.origin, jar);
  }
}

/** Where the page's form posts to, and the `prompt` it answers (oidc-provider's development pages). */
const formAction = (html: string): string | undefined => /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
const hiddenPrompt = (html: string): string | undefined =>
  /<input type="hidden" name="prompt" value="([^"]+)"/.exec(html)?.[1];

/**
 * Follows the authorization request through the provider's login form (signing in as `login`) and
 * consent page; returns the provider's redirect back to the application, not followed, and the
 * steps taken.
 */
async function followProvider(
  browser: Browser,
  authorize: URL,
  login: string,
): Promise<{ back: URL; steps: readonly string[] }> {
  let next = authorize;
  const steps: string[] = [];
  for (let step = 0; step < 20; step += 1) {
    if (next.href.startsWith(`${REDIRECT_URI}?`)) return { back: next, steps };
    const response = await browser.request(next);
    steps.push(`${response.status} ${next.pathname}`);
    const location = response.headers.get('location');
    if (location !== null) {
      next = new URL(location, next);
      continue;
    }
    assert.equal(response.status, 200, `unexpected answer at the provider: ${steps.join(' → ')}`);
    const html = await response.text();
    const action = formAction(html);
    const prompt = hiddenPrompt(html);
    assert.ok(action !== undefined && prompt !== undefined, `no form at ${next.pathname}`);
    const form: Record<string, string> =
      prompt === 'login' ? { prompt, login, password: 'any password' } : { prompt };
    const submitted = await browser.request(new URL(action, next), { method: 'POST', form });
    steps.push(`${submitted.status} POST ${prompt}`);
    next = new URL(submitted.headers.get('location') ?? '', next);
  }
  assert.fail(`the provider never sent the browser back: ${steps.join(' → ')}`);
}

/** What one sign-in started at the application left. */
interface ProviderSignIn {
  /** The authorization request the application redirected to. */
  readonly authorize: URL;
  /** The application's `Set-Cookie` for the sign-in in progress. */
  readonly loginCookie: string;
  /** The provider's redirect back to the application, not yet followed. */
  readonly back: URL;
  readonly steps: readonly string[];
}

/** `GET /auth/oidc/login` at the application, then the provider's pages as `login`. */
async function signInAtProvider(browser: Browser, login: string): Promise<ProviderSignIn> {
  const start = await browser.request(`${PUBLIC_ORIGIN}/auth/oidc/login`);
  assert.equal(
    start.status,
    302,
    'GET /auth/oidc/login must redirect (is AppOptions.oidc wired in build-app.ts?)',
  );
  const authorize = new URL(start.headers.get('location') ?? '');
  const loginCookie = start.headers.getSetCookie().find((c) => c.startsWith('tl_oidc_login=')) ?? '';
  return { authorize, loginCookie, ...(await followProvider(browser, authorize, login)) };
}

/** Sends the provider's redirect to the application's callback, with the browser's cookies. */
const callback = (browser: Browser, url: URL): Promise<Response> => browser.request(url);

describe('sign-in through OpenID Connect', () => {
  let idp: IdentityProvider;
  let h: Harness;
  let browserFor: () => Browser;

  before(async () => {
    idp = await startProvider();
    const client: OidcClient = new OpenidOidcClient({
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
    });
    h = await startHarness({ oidc: client });
    const appBase = await h.app.listen({ port: 0, host: '127.0.0.1' });
    browserFor = () => new Browser(appBase);
    await createUser(h.deps, {
      orgId: 'mission',
      role: 'analyst',
      name: 'alice',
      oidcIdentity: `${idp.issuer}|alice-at-idp`,
    });
    // No use case disables accounts yet: the disabled account is written through the store.
    const now = h.deps.clock.now();
    await h.deps.store.access.createUser({
      id: h.deps.secrets.randomId(),
      name: 'bob',
      orgId: 'mission',
      role: 'analyst',
      passwordHash: null,
      oidcIdentity: `${idp.issuer}|bob-at-idp`,
      createdAtMs: now,
      disabledAtMs: now,
    });
  });

  after(async () => {
    await h.close();
    await idp.close();
  });

  test('an account linked to the identity signs in: the same web session as a password sign-in', async () => {
    const browser = browserFor();
    const { authorize, loginCookie, back, steps } = await signInAtProvider(browser, 'alice-at-idp');
    assert.ok(steps.includes('303 POST login') && steps.includes('303 POST consent'), steps.join(' → '));
    assert.equal(authorize.origin, idp.issuer);
    const q = authorize.searchParams;
    assert.equal(q.get('response_type'), 'code');
    assert.equal(q.get('client_id'), CLIENT_ID);
    assert.equal(q.get('redirect_uri'), REDIRECT_URI);
    assert.equal(q.get('scope'), 'openid');
    assert.equal(q.get('code_challenge_method'), 'S256');
    for (const name of ['state', 'nonce', 'code_challenge'])
      assert.ok((q.get(name) ?? '').length >= 32, `${name} is long and random`);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Lax', 'Max-Age=600', 'Path=/'])
      assert.ok(loginCookie.includes(attribute), `${attribute} in ${loginCookie}`);
    // Only an opaque id: none of the sign-in's secrets are in the cookie.
    for (const name of ['state', 'nonce']) assert.ok(!loginCookie.includes(q.get(name) ?? '-'));
    assert.equal(back.searchParams.get('state'), q.get('state'));
    assert.equal(back.searchParams.get('iss'), idp.issuer);

    const answer = await callback(browser, back);
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const body = (await answer.json()) as { me: Record<string, unknown>; csrfToken: string };
    assert.deepEqual(body.me, {
      name: 'alice',
      role: 'analyst',
      organisation: 'mission',
      organisationKind: 'mission',
      scopes: ['read', 'ingest', 'act'],
      via: 'session',
    });
    assert.ok(body.csrfToken.length > 20);
    const sessionCookie = answer.headers.getSetCookie().find((c) => c.startsWith('tl_session='));
    assert.ok(
      sessionCookie?.includes('HttpOnly') && sessionCookie.includes('SameSite=Strict'),
      sessionCookie,
    );
    assert.equal(browser.cookie(PUBLIC_ORIGIN, 'tl_oidc_login'), undefined, 'the login cookie is cleared');

    const me = await browser.request(`${PUBLIC_ORIGIN}/api/v1/me`);
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), body.me);

    // The callback cannot be replayed, even from the same browser with the same login cookie.
    const loginId = /^tl_oidc_login=([^;]*)/.exec(loginCookie)?.[1] ?? '';
    const replay = browserFor();
    replay.setCookie(PUBLIC_ORIGIN, 'tl_oidc_login', loginId);
    const again = await callback(replay, back);
    assert.equal(again.status, 401);
    assert.equal(((await again.json()) as { code: string }).code, 'E_UNAUTHENTICATED');
  });

  test('an identity no account is linked to gets 401 E_UNAUTHENTICATED and no session', async () => {
    const browser = browserFor();
    const answer = await callback(browser, (await signInAtProvider(browser, 'mallory-at-idp')).back);
    assert.equal(answer.status, 401);
    const body = (await answer.json()) as { code: string; message: string };
    assert.equal(body.code, 'E_UNAUTHENTICATED');
    assert.match(body.message, /mallory-at-idp/);
    assert.equal(browser.cookie(PUBLIC_ORIGIN, 'tl_session'), undefined);
    assert.equal((await browser.request(`${PUBLIC_ORIGIN}/api/v1/me`)).status, 401);
  });

  test('a disabled account linked to the identity gets 401 E_UNAUTHENTICATED', async () => {
    const browser = browserFor();
    const answer = await callback(browser, (await signInAtProvider(browser, 'bob-at-idp')).back);
    assert.equal(answer.status, 401);
    assert.equal(((await answer.json()) as { code: string }).code, 'E_UNAUTHENTICATED');
    assert.equal(browser.cookie(PUBLIC_ORIGIN, 'tl_session'), undefined);
  });

  test('a tampered state gets 401 E_UNAUTHENTICATED, and that sign-in is over', async () => {
    const browser = browserFor();
    const { back } = await signInAtProvider(browser, 'alice-at-idp');
    const loginId = browser.cookie(PUBLIC_ORIGIN, 'tl_oidc_login') ?? '';
    const tampered = new URL(back);
    tampered.searchParams.set('state', `${back.searchParams.get('state') ?? ''}x`);
    const answer = await callback(browser, tampered);
    assert.equal(answer.status, 401);
    const body = (await answer.json()) as { code: string; message: string };
    assert.equal(body.code, 'E_UNAUTHENTICATED');
    assert.match(body.message, /state/);
    assert.equal(browser.cookie(PUBLIC_ORIGIN, 'tl_session'), undefined);
    assert.equal(browser.cookie(PUBLIC_ORIGIN, 'tl_oidc_login'), undefined, 'the login cookie is cleared');
    // The genuine answer no longer works: the sign-in's secrets were used up by the failed attempt.
    browser.setCookie(PUBLIC_ORIGIN, 'tl_oidc_login', loginId);
    const genuine = await callback(browser, back);
    assert.equal(genuine.status, 401);
  });

  test("a callback in another browser (no login cookie, or another sign-in's) gets 401", async () => {
    const victim = browserFor();
    const { back } = await signInAtProvider(victim, 'alice-at-idp');
    // Login CSRF: the attacker's own authorization response delivered to someone else's browser.
    const other = browserFor();
    const none = await callback(other, back);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: string }).code, 'E_UNAUTHENTICATED');
    const started = await other.request(`${PUBLIC_ORIGIN}/auth/oidc/login`);
    assert.equal(started.status, 302);
    const mismatched = await callback(other, back);
    assert.equal(mismatched.status, 401);
    assert.equal(other.cookie(PUBLIC_ORIGIN, 'tl_session'), undefined);
  });

  test('the provider refusing the sign-in (access denied) gets 401', async () => {
    const browser = browserFor();
    const start = await browser.request(`${PUBLIC_ORIGIN}/auth/oidc/login`);
    const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
    const denied = new URL(REDIRECT_URI);
    denied.search = new URLSearchParams({
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
      state,
      iss: idp.issuer,
    }).toString();
    const answer = await callback(browser, denied);
    assert.equal(answer.status, 401);
    const body = (await answer.json()) as { code: string; message: string };
    assert.equal(body.code, 'E_UNAUTHENTICATED');
    assert.match(body.message, /access_denied/);
  });
  test('the relying party refuses a code exchanged without its PKCE verifier, or an ID token with another nonce', async () => {
    const client = new OpenidOidcClient({
      issuer: idp.issuer,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: REDIRECT_URI,
    });
    const other = await client.start();
    const cases = [
      { wrong: { codeVerifier: other.codeVerifier }, reason: /invalid_grant/ },
      { wrong: { nonce: other.nonce }, reason: /nonce/ },
    ];
    for (const { wrong, reason } of cases) {
      const started = await client.start();
      const { back } = await followProvider(browserFor(), new URL(started.url), 'alice-at-idp');
      await assert.rejects(client.finish(back.searchParams, { ...started, ...wrong }), (error: Error) => {
        assert.equal((error as { code?: string }).code, 'E_UNAUTHENTICATED');
        assert.match(error.message, reason);
        return true;
      });
    }
    const started = await client.start();
    const { back } = await followProvider(browserFor(), new URL(started.url), 'alice-at-idp');
    assert.deepEqual(await client.finish(back.searchParams, started), {
      issuer: idp.issuer,
      subject: 'alice-at-idp',
    });
  });

  test('the relying party talks plain HTTP only to a provider on a loopback address', () => {
    const options = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: REDIRECT_URI };
    assert.throws(() => new OpenidOidcClient({ ...options, issuer: 'http://id.example.org' }), /https/);
    assert.throws(
      () =>
        new OpenidOidcClient({
          ...options,
          issuer: 'https://id.example.org',
          redirectUri: 'http://truceline.example/cb',
        }),
      /https/,
    );
    assert.doesNotThrow(() => new OpenidOidcClient({ ...options, issuer: 'https://id.example.org' }));
    assert.doesNotThrow(() => new OpenidOidcClient({ ...options, issuer: 'http://[::1]:8443' }));
  });
});

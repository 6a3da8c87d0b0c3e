/**
 * @module The OpenID Connect relying party, on `openid-client` (v6): discovery of the provider's
 * metadata, the authorization-code flow with PKCE (S256), `state` and `nonce`, and verification of
 * the ID token. Confidential client: it authenticates to the token endpoint with its secret.
 */
import * as oidc from 'openid-client';
import { TrucelineError } from '../../core/errors.ts';
import type {
  OidcAuthorization,
  OidcChecks,
  OidcClient,
  OidcIdentity,
} from '../../core/ports/oidc-client.ts';

export interface OpenidOidcClientOptions {
  /** The provider's issuer identifier (`https://…`; `http://` only on a loopback address, for tests). */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /**
   * This server's callback as registered at the provider, e.g. `https://truceline.example/auth/oidc/callback`
   * (`https://`, or `http://` on a loopback address). Both requests send it (in WHATWG URL normal form),
   * whatever Host the callback arrives with.
   */
  readonly redirectUri: string;
  /** How the client authenticates at the token endpoint (default `client_secret_basic`). */
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** Seconds before a request to the provider is abandoned (default 10). */
  readonly timeoutSeconds?: number;
}

/** Failures that mean "this sign-in does not verify", as opposed to "the provider cannot be reached". */
const VERIFICATION_FAILURES = new Set([
  'OAUTH_INVALID_RESPONSE', // state, iss or code missing or wrong in the callback
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED', // nonce, aud, iss of the ID token
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED', // exp, iat, auth_time
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_KEY_SELECTION_FAILED', // no key of the provider's JWKS matches the ID token's
  'OAUTH_PARSE_ERROR',
]);

const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/** `https:`, or `http:` on loopback (a provider started by a test); `true` if it is the latter. */
function checkUrl(what: string, text: string): { url: URL; insecureLoopback: boolean } {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${what} ${JSON.stringify(text)} is not a URL`);
  }
  if (url.hash !== '' || url.search !== '' || url.username !== '' || url.password !== '')
    throw new Error(`${what} ${JSON.stringify(text)} must have no query, fragment or credentials`);
  if (url.protocol === 'https:') return { url, insecureLoopback: false };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { url, insecureLoopback: true };
  throw new Error(`${what} ${JSON.stringify(text)} must be https:// (http:// only on a loopback address)`);
}

/**
 * An OpenID Connect client; the provider's metadata is fetched on first use (see
 * {@link OpenidOidcClient.discover}).
 */
export class OpenidOidcClient implements OidcClient {
  readonly #issuer: URL;
  readonly #insecure: boolean;
  readonly #redirectUri: string;
  readonly #options: OpenidOidcClientOptions;
  #configuration: Promise<oidc.Configuration> | undefined;

  /** Checks the URLs (throws a plain `Error` naming the bad one); contacts nobody. */
  constructor(options: OpenidOidcClientOptions) {
    const issuer = checkUrl('the OpenID Connect issuer', options.issuer);
    const redirect = checkUrl('the OpenID Connect redirect URI', options.redirectUri);
    if (options.clientId === '') throw new Error('the OpenID Connect client id is empty');
    if (options.clientSecret === '') throw new Error('the OpenID Connect client secret is empty');
    this.#issuer = issuer.url;
    // Plain HTTP to the provider only when it is on this machine: never for a real provider.
    this.#insecure = issuer.insecureLoopback;
    this.#redirectUri = redirect.url.href;
    this.#options = options;
  }

  /**
   * Fetches the provider's metadata (`/.well-known/openid-configuration`) if not yet done, and checks
   * that its issuer is the one configured. Every sign-in does it; call it at start to report a
   * misconfiguration early. A failure is not remembered: the next call tries again, so a provider
   * that is down when the server starts does not stop password and token sign-in.
   */
  async discover(): Promise<void> {
    await this.#configure();
  }

  #configure(): Promise<oidc.Configuration> {
    this.#configuration ??= oidc
      .discovery(
        this.#issuer,
        this.#options.clientId,
        { client_secret: this.#options.clientSecret },
        this.#options.tokenEndpointAuthMethod === 'client_secret_post'
          ? oidc.ClientSecretPost(this.#options.clientSecret)
          : oidc.ClientSecretBasic(this.#options.clientSecret),
        {
          timeout: this.#options.timeoutSeconds ?? 10,
          // "Deprecated" only as a warning sign; used for a provider on this machine and nothing else.
          // eslint-disable-next-line @typescript-eslint/no-deprecated
          ...(this.#insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        },
      )
      .catch((error: unknown) => {
        this.#configuration = undefined;
        throw error;
      });
    return this.#configuration;
  }

  async start(): Promise<OidcAuthorization> {
    const config = await this.#configure();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.#redirectUri,
      scope: 'openid',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url: url.href, state, codeVerifier, nonce };
  }

  async finish(callbackQuery: URLSearchParams, checks: OidcChecks): Promise<OidcIdentity> {
    const config = await this.#configure();
    // The configured URI, not the request's Host: the token request must repeat it exactly.
    const current = new URL(this.#redirectUri);
    current.search = callbackQuery.toString();
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, current, {
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        pkceCodeVerifier: checks.codeVerifier,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw verificationFailure(error) ?? error;
    }
    if (claims === undefined)
      throw new TrucelineError('E_UNAUTHENTICATED', 'the identity provider returned no ID token');
    return {
      issuer: claims.iss,
      subject: claims.sub,
      ...(typeof claims.name === 'string' ? { name: claims.name } : {}),
    };
  }
}

/** `E_UNAUTHENTICATED` for an error that says the sign-in failed; `undefined` for any other. */
function verificationFailure(error: unknown): TrucelineError | undefined {
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    // The provider's own answer: access_denied, login_required, invalid_grant (a used or forged code)…
    const description =
      error.error_description === undefined ? '' : ` (${error.error_description.slice(0, 200)})`;
    return new TrucelineError(
      'E_UNAUTHENTICATED',
      `the identity provider refused the sign-in: ${error.error.slice(0, 100)}${description}`,
      { cause: error },
    );
  }
  if (error instanceof oidc.ClientError && error.code !== undefined && VERIFICATION_FAILURES.has(error.code))
    return new TrucelineError(
      'E_UNAUTHENTICATED',
      `the identity provider's answer does not verify: ${errorDetail(error)}`,
      { cause: error },
    );
  return undefined;
}

/** The innermost message (openid-client wraps oauth4webapi's precise one in a generic one). */
function errorDetail(error: Error): string {
  return error.cause instanceof Error ? error.cause.message : error.message;
}

/**
 * @module Port: the relying party of an OpenID Connect provider — the authorization-code flow with
 * PKCE, `state` and `nonce`. The server keeps the three secrets of each sign-in between
 * {@link OidcClient.start} and {@link OidcClient.finish}; the client itself keeps no per-sign-in state.
 */

/** The secrets of one sign-in, bound to the browser that started it; each is used once. */
export interface OidcChecks {
  /** Echoed by the provider in the callback; must match exactly (CSRF on the callback). */
  readonly state: string;
  /** The PKCE code verifier (RFC 7636, S256) the code is exchanged with. */
  readonly codeVerifier: string;
  /** Must equal the ID token's `nonce` claim (no replayed ID tokens). */
  readonly nonce: string;
}

/** Where to send the browser, and the checks to keep until it comes back. */
export interface OidcAuthorization extends OidcChecks {
  /** The provider's authorization endpoint, with every parameter of the request. */
  readonly url: string;
}

/** Who the provider says signed in, from a verified ID token. */
export interface OidcIdentity {
  /** The ID token's `iss`: the provider's issuer identifier, e.g. `https://id.example.org`. */
  readonly issuer: string;
  /** The ID token's `sub`: the account at that provider (stable, never reassigned). */
  readonly subject: string;
  /** The `name` claim if the provider sent one (for messages only, never for matching). */
  readonly name?: string;
}

export interface OidcClient {
  /**
   * Starts a sign-in: fresh `state`, `nonce` and PKCE code verifier, and the authorization URL that
   * carries the first two and the verifier's S256 challenge.
   */
  start(): Promise<OidcAuthorization>;
  /**
   * Completes a sign-in from the query of the provider's redirect to the callback: checks `state`
   * (and `iss`, when the provider sends it), exchanges the code with the verifier, verifies the ID
   * token (signature, issuer, audience, expiry, `nonce`) and returns its subject.
   * `E_UNAUTHENTICATED` when the provider reports an error or anything fails to verify; an
   * unreachable provider is an ordinary (internal) error.
   */
  finish(callbackQuery: URLSearchParams, checks: OidcChecks): Promise<OidcIdentity>;
}

/** How an identity is written in `User.oidcIdentity` and looked up: `issuer|subject`. */
export const oidcIdentityKey = (identity: Pick<OidcIdentity, 'issuer' | 'subject'>): string =>
  `${identity.issuer}|${identity.subject}`;

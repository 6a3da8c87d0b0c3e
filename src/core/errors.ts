/**
 * @module The catalogue of typed errors. Every error the system reports has a stable code listed
 * here and in docs/errors.md (a test keeps the two in sync). The core knows no HTTP statuses: the
 * API maps codes to statuses in one place (src/api/error-handler.ts).
 */

/** One problem with one field of an input: `path` is a JSON-path-like string such as `zones[2].distanceKm`. */
export interface FieldIssue {
  readonly path: string;
  readonly reason: string;
}

export const ERROR_CODES = {
  E_VALIDATION: 'The input is invalid; `issues` names every field and the reason.',
  E_NOT_FOUND: 'The thing asked for does not exist.',
  E_CONFLICT: 'The request conflicts with what is stored.',
  E_PAYLOAD_TOO_LARGE: 'The request body or batch exceeds a configured limit; nothing from it was stored.',
  E_UNSUPPORTED_MEDIA_TYPE:
    'The request body has a content type, charset or content encoding the route does not accept.',
  E_BAD_REQUEST: 'The request is malformed (for example a body that is not JSON).',
  E_AGREEMENT_INVALID: 'The agreement document has problems; `issues` lists every one.',
  E_NO_TERMS_IN_FORCE: 'No version of the agreement was in force at the time asked for.',
  E_UNKNOWN_SOURCE: 'The source is not registered.',
  E_STORE: 'The store failed; the operation was not committed.',
  E_UNSUPPORTED: 'The operation is not available with this store or configuration.',
  E_UNAUTHENTICATED: 'The route needs credentials: a bearer token or a signed-in session.',
  E_TOKEN_EXPIRED: 'The bearer token has expired or was revoked; ask for a new one.',
  E_FORBIDDEN: 'The credentials are valid but their role, organisation or scope may not do this.',
  E_CSRF: 'A state-changing request of a web session lacked the session’s CSRF token.',
  E_SIGNATURE_MISSING:
    'A submission lacks its HTTP message signature (or a signed component); nothing was stored.',
  E_SIGNATURE_INVALID: 'The submission’s signature or Content-Digest does not verify; nothing was stored.',
  E_KEY_REVOKED: 'The signing key is unknown or revoked; nothing was stored.',
  E_SIGNATURE_EXPIRED: 'The signature’s creation time is outside the allowed window; nothing was stored.',
  E_NONCE_REUSED:
    'The batch id (the signature’s nonce) was used before with a different body; nothing was stored.',
  E_RATE_LIMITED:
    'Too many requests for this token or source key, or records for this source key; retry after the time in `Retry-After`.',
  E_STALE_VERSION:
    'The item changed since the version named in If-Match; read it again and decide on its current state.',
  E_VERSION_REQUIRED: 'A state-changing request on this item must name the version it acts on (If-Match).',
  E_INVALID_TRANSITION: 'The item is not in a state that allows this step; `details` names its state.',
  E_FOUR_EYES: 'Whoever recorded a finding or proposal cannot also approve it; another person must.',
  E_RECUSED: 'A party to the case may not vote on it or take part in deciding it.',
  E_HASH_MISMATCH:
    'The uploaded content does not hash to the SHA-256 named in the request; nothing was stored.',
  E_LEDGER_KEY: 'The ledger key file is missing, unreadable or malformed, or does not match the log.',
  E_LEDGER_AUDIT:
    'The ledger does not match the stored records; `details` names the first row or entry at fault.',
  E_LEDGER_VERIFY:
    'A ledger export, checkpoint or proof does not verify; `details` names the first entry at fault.',
  E_INCONSISTENT_CHECKPOINT:
    'The new checkpoint is not an extension of the one co-signed before (a split view); it was not co-signed.',
  E_FUSION_LEASE:
    'Another process runs fusion on this store (it holds the lease); this fusion output was not committed.',
  E_INTERNAL: 'An unexpected error; details are in the server log, not in the response.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error type of the domain: a stable code, a message for people, and optional details. */
export class TrucelineError extends Error {
  readonly code: ErrorCode;
  readonly issues: readonly FieldIssue[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { issues?: readonly FieldIssue[]; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrucelineError';
    this.code = code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }
}

export const validationError = (message: string, issues: readonly FieldIssue[]): TrucelineError =>
  new TrucelineError('E_VALIDATION', message, { issues });

export const notFound = (what: string, id: string): TrucelineError =>
  new TrucelineError('E_NOT_FOUND', `${what} ${JSON.stringify(id)} does not exist`, {
    details: { what, id },
  });

export const isTrucelineError = (error: unknown): error is TrucelineError => error instanceof TrucelineError;

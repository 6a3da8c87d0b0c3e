/**
 * @module Verifies a source's signed ingest batch: RFC 9421 HTTP Message Signatures with Ed25519 over
 * `@method`, `@path`, `content-type` and an RFC 9530 Content-Digest of the body. Pure: the key
 * lookup, the Ed25519 check and SHA-256 are injected.
 */
import {
  ContentDigestError,
  matchesDigest,
  parseContentDigest,
  type Sha256Digest,
} from './content-digest.ts';
import {
  buildSignatureBase,
  REQUIRED_COMPONENTS,
  SignatureBaseError,
  signatureBaseBytes,
} from './signature-base.ts';
import {
  type BareItem,
  type InnerList,
  parseDictionary,
  serializeMember,
  StructuredFieldError,
} from './structured-fields.ts';

/** Why a signed request was refused; the API maps each to a status (docs/errors.md). */
export const SIGNATURE_ERROR_CODES = [
  /** A signature header, a required covered component or a required parameter is absent. */
  'E_SIGNATURE_MISSING',
  /** Malformed headers, a body that does not match its digest, a signature that does not verify. */
  'E_SIGNATURE_INVALID',
  /** The key id is unknown, or the key was revoked. */
  'E_KEY_REVOKED',
  /** `created` lies outside the accepted window around now (or `expires` has passed). */
  'E_SIGNATURE_EXPIRED',
] as const;
export type SignatureErrorCode = (typeof SIGNATURE_ERROR_CODES)[number];

/** How old a signature may be: long enough for a gateway's retry after a timeout, short enough to bound replay. */
export const DEFAULT_MAX_AGE_MS = 5 * 60_000;
/** How far ahead a source's clock may run. */
export const DEFAULT_MAX_FUTURE_MS = 60_000;

/** A batch id (the signature's `nonce`): safe in paths, logs and file names. */
export const BATCH_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Whether `value` can be a batch id. */
export const isValidBatchId = (value: string): boolean => BATCH_ID_PATTERN.test(value);

/** A request as the server received it. */
export interface SignedRequest {
  readonly method: string;
  /** Path and query as sent, e.g. `/api/v1/observations`. */
  readonly target: string;
  /** Lower-case field names; a list is a field sent more than once. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** The body exactly as received, before any parsing. */
  readonly body: Uint8Array;
}

/** A registered signing key, as the source registry holds it. */
export interface SigningKeyRecord {
  readonly sourceId: string;
  /** SPKI DER, base64. */
  readonly publicKey: string;
  readonly revokedAtMs: number | null;
}

/**
 * Whether `signature` is a valid Ed25519 signature of `data` by the key (SPKI DER, base64), checked
 * here or on another thread.
 */
export type VerifyEd25519 = (
  publicKeySpkiB64: string,
  data: Uint8Array,
  signature: Uint8Array,
) => boolean | Promise<boolean>;

export interface VerifyOptions {
  /** The verifier's clock. */
  readonly nowMs: number;
  /** Oldest accepted `created`, before now (default 5 minutes). */
  readonly maxAgeMs?: number;
  /** Latest accepted `created`, after now (default 1 minute). */
  readonly maxFutureMs?: number;
  /** The key registered under `keyId`, revoked or not; `undefined` if there is none. */
  findKey(keyId: string): Promise<SigningKeyRecord | undefined>;
  readonly verifyEd25519: VerifyEd25519;
  sha256: Sha256Digest;
}

/** A request whose signature verified. The three header values let anyone check it again later. */
export interface VerifiedRequest {
  readonly ok: true;
  readonly sourceId: string;
  readonly keyId: string;
  /** The signature's `nonce`: the id the source gave the batch. */
  readonly batchId: string;
  /** `created`, in milliseconds. */
  readonly signedAtMs: number;
  /** The Content-Digest value as received (trimmed), exactly as it was signed. */
  readonly contentDigest: string;
  /** The Signature-Input member that verified, e.g. `sig1=("@method" …);created=…`. */
  readonly signatureInput: string;
  /** The Signature member that verified, e.g. `sig1=:…:`. */
  readonly signature: string;
}

export interface SignatureFailure {
  readonly ok: false;
  readonly code: SignatureErrorCode;
  readonly message: string;
  /** The header, covered component or signature parameter at fault. */
  readonly field?: string;
}

export type VerifyResult = VerifiedRequest | SignatureFailure;

const fail = (code: SignatureErrorCode, message: string, field?: string): SignatureFailure =>
  field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };

const REQUIRED_PARAMS = ['keyid', 'created', 'nonce'] as const;
const SIGNATURE_HEADERS = ['signature-input', 'signature', 'content-digest'] as const;

/**
 * Verifies a signed ingest request. Checks run in a fixed order — headers present, headers parse,
 * key known and not revoked, time window, body digest, signature — so the cheap refusals come
 * before the hashing and the public-key operation, and each request gets one stable answer.
 * Exactly one signature is accepted, under any label.
 *
 * @example
 * const result = await verifySignedRequest(
 *   { method: 'POST', target: '/api/v1/observations', headers: request.headers, body },
 *   { nowMs: Date.now(), findKey, verifyEd25519, sha256: sha256Bytes },
 * );
 * if (!result.ok) throw new TrucelineError(result.code, result.message);
 * @throws only what the injected functions throw (e.g. a malformed stored public key).
 */
export async function verifySignedRequest(
  request: SignedRequest,
  options: VerifyOptions,
): Promise<VerifyResult> {
  // 1. Headers present.
  const values = SIGNATURE_HEADERS.map((name) => fieldValue(request.headers, name));
  const absent = SIGNATURE_HEADERS.filter((_, i) => values[i] === undefined);
  if (absent.length > 0)
    return fail('E_SIGNATURE_MISSING', `the request has no ${absent.join(', ')} header`, absent[0]);
  const [inputValue = '', signatureValue = '', digestValue = ''] = values;

  // 2. Parse.
  const parsed = parseHeaders(request, inputValue, signatureValue, digestValue);
  if (!parsed.ok) return parsed;
  const { label, innerList, signatureBytes, claimedDigest, base, keyId, created, nonce, expires } = parsed;

  // 3. Key.
  const key = await options.findKey(keyId);
  if (key === undefined) return fail('E_KEY_REVOKED', `unknown key id ${JSON.stringify(keyId)}`, 'keyid');
  if (key.revokedAtMs !== null && key.revokedAtMs <= options.nowMs)
    return fail(
      'E_KEY_REVOKED',
      `key ${JSON.stringify(keyId)} of source ${JSON.stringify(key.sourceId)} was revoked at ${new Date(key.revokedAtMs).toISOString()}`,
      'keyid',
    );

  // 4. Time window.
  const signedAtMs = created * 1000;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const maxFutureMs = options.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
  if (signedAtMs < options.nowMs - maxAgeMs)
    return fail(
      'E_SIGNATURE_EXPIRED',
      `the signature was created ${seconds(options.nowMs - signedAtMs)} s ago; at most ${seconds(maxAgeMs)} s is accepted`,
      'created',
    );
  if (signedAtMs > options.nowMs + maxFutureMs)
    return fail(
      'E_SIGNATURE_EXPIRED',
      `the signature was created ${seconds(signedAtMs - options.nowMs)} s in the future; at most ${seconds(maxFutureMs)} s of clock skew is accepted`,
      'created',
    );
  if (expires !== undefined && expires * 1000 < options.nowMs)
    return fail(
      'E_SIGNATURE_EXPIRED',
      `the signature expired ${seconds(options.nowMs - expires * 1000)} s ago`,
      'expires',
    );

  // 5. Digest.
  if (!matchesDigest(claimedDigest, request.body, options.sha256))
    return fail('E_SIGNATURE_INVALID', "the body's sha-256 differs from Content-Digest", 'content-digest');

  // 6. Signature.
  if (!(await options.verifyEd25519(key.publicKey, signatureBaseBytes(base), signatureBytes)))
    return fail(
      'E_SIGNATURE_INVALID',
      `the signature does not verify with key ${JSON.stringify(keyId)}`,
      'signature',
    );

  return {
    ok: true,
    sourceId: key.sourceId,
    keyId,
    batchId: nonce,
    signedAtMs,
    contentDigest: digestValue,
    signatureInput: `${label}=${serializeMember(innerList)}`,
    signature: `${label}=${serializeMember({ kind: 'item', value: { type: 'bytes', value: signatureBytes }, params: new Map() })}`,
  };
}

interface ParsedHeaders {
  readonly ok: true;
  readonly label: string;
  readonly innerList: InnerList;
  readonly signatureBytes: Uint8Array;
  readonly claimedDigest: Uint8Array;
  readonly base: string;
  readonly keyId: string;
  readonly created: number;
  readonly nonce: string;
  readonly expires: number | undefined;
}

function parseHeaders(
  request: SignedRequest,
  inputValue: string,
  signatureValue: string,
  digestValue: string,
): ParsedHeaders | SignatureFailure {
  let inputs;
  let signatures;
  try {
    inputs = parseDictionary(inputValue);
  } catch (error) {
    if (error instanceof StructuredFieldError)
      return fail('E_SIGNATURE_INVALID', `Signature-Input is malformed: ${error.message}`, 'signature-input');
    throw error;
  }
  try {
    signatures = parseDictionary(signatureValue);
  } catch (error) {
    if (error instanceof StructuredFieldError)
      return fail('E_SIGNATURE_INVALID', `Signature is malformed: ${error.message}`, 'signature');
    throw error;
  }
  if (inputs.size !== 1)
    return fail(
      'E_SIGNATURE_INVALID',
      `Signature-Input must hold exactly one signature; it has ${inputs.size} (${[...inputs.keys()].join(', ')})`,
      'signature-input',
    );
  const [label, innerList] = [...inputs][0] ?? ['', undefined];
  if (innerList?.kind !== 'inner-list')
    return fail('E_SIGNATURE_INVALID', `Signature-Input's ${label} is not an inner list`, 'signature-input');
  const signatureMember = signatures.get(label);
  if (signatureMember === undefined)
    return fail(
      'E_SIGNATURE_INVALID',
      `Signature has no member ${label} to match Signature-Input`,
      'signature',
    );
  if (signatures.size !== 1)
    return fail(
      'E_SIGNATURE_INVALID',
      `Signature must hold exactly one signature; it has ${signatures.size} (${[...signatures.keys()].join(', ')})`,
      'signature',
    );
  if (signatureMember.kind !== 'item' || signatureMember.value.type !== 'bytes')
    return fail('E_SIGNATURE_INVALID', `Signature's ${label} is not a byte sequence (:base64:)`, 'signature');
  const signatureBytes = signatureMember.value.value;
  if (signatureBytes.length !== 64)
    return fail(
      'E_SIGNATURE_INVALID',
      `Signature's ${label} has ${signatureBytes.length} bytes; an Ed25519 signature has 64`,
      'signature',
    );

  const covered = innerList.items.map((item) =>
    item.value.type === 'string' ? item.value.value : undefined,
  );
  const uncovered = REQUIRED_COMPONENTS.filter((c) => !covered.includes(c));
  if (uncovered.length > 0)
    return fail(
      'E_SIGNATURE_MISSING',
      `the signature does not cover ${uncovered.map((c) => `"${c}"`).join(', ')}`,
      uncovered[0],
    );
  const absentParams = REQUIRED_PARAMS.filter((p) => !innerList.params.has(p));
  if (absentParams.length > 0)
    return fail(
      'E_SIGNATURE_MISSING',
      `the signature has no ${absentParams.join(', ')} parameter`,
      absentParams[0],
    );
  const params = innerList.params;
  const keyId = stringParam(params.get('keyid'));
  if (keyId === undefined || keyId === '')
    return fail('E_SIGNATURE_INVALID', 'keyid must be a non-empty string', 'keyid');
  const created = integerParam(params.get('created'));
  if (created === undefined || created < 0)
    return fail('E_SIGNATURE_INVALID', 'created must be a non-negative integer (Unix seconds)', 'created');
  const nonce = stringParam(params.get('nonce'));
  if (nonce === undefined || !isValidBatchId(nonce))
    return fail(
      'E_SIGNATURE_INVALID',
      'nonce (the batch id) must be a string of 1 to 128 characters among A-Z a-z 0-9 . _ : -',
      'nonce',
    );
  const alg = params.get('alg');
  if (alg !== undefined && stringParam(alg) !== 'ed25519')
    return fail('E_SIGNATURE_INVALID', `alg must be "ed25519", not ${describe(alg)}`, 'alg');
  const expiresItem = params.get('expires');
  const expires = integerParam(expiresItem);
  if (expiresItem !== undefined && expires === undefined)
    return fail('E_SIGNATURE_INVALID', 'expires must be an integer (Unix seconds)', 'expires');

  let claimedDigest: Uint8Array;
  try {
    claimedDigest = parseContentDigest(digestValue);
  } catch (error) {
    if (error instanceof ContentDigestError)
      return fail('E_SIGNATURE_INVALID', error.message, 'content-digest');
    throw error;
  }

  let base: string;
  try {
    base = buildSignatureBase(
      { method: request.method, path: request.target, headers: request.headers },
      innerList,
    );
  } catch (error) {
    if (error instanceof SignatureBaseError)
      return fail(
        error.reason === 'missing' ? 'E_SIGNATURE_MISSING' : 'E_SIGNATURE_INVALID',
        error.message,
        error.component,
      );
    if (error instanceof StructuredFieldError)
      return fail(
        'E_SIGNATURE_INVALID',
        `Signature-Input cannot be serialised: ${error.message}`,
        'signature-input',
      );
    throw error;
  }
  return { ok: true, label, innerList, signatureBytes, claimedDigest, base, keyId, created, nonce, expires };
}

/** A field's value, fields sent several times joined as HTTP does; `undefined` if absent or blank. */
function fieldValue(headers: SignedRequest['headers'], name: string): string | undefined {
  const raw = headers[name];
  if (raw === undefined) return undefined;
  // Trimmed line by line, as the signature base does (RFC 9421 section 2.1), so the value returned is the one signed.
  const lines = typeof raw === 'string' ? [raw] : raw;
  const value = lines.map((line) => line.replace(/^[ \t]+|[ \t]+$/g, '')).join(', ');
  return value === '' ? undefined : value;
}

const stringParam = (item: BareItem | undefined): string | undefined =>
  item?.type === 'string' ? item.value : undefined;

const integerParam = (item: BareItem | undefined): number | undefined =>
  item?.type === 'integer' ? item.value : undefined;

const describe = (item: BareItem): string =>
  item.type === 'string' ? JSON.stringify(item.value) : `a ${item.type}`;

const seconds = (ms: number): number => Math.round(ms / 1000);

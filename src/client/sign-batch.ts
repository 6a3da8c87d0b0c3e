/**
 * @module Signing and sending a source's batch of observations: RFC 9421 HTTP Message Signatures
 * with Ed25519 over `@method`, `@path`, `content-type` and an RFC 9530 Content-Digest. The signature
 * base comes from src/core/signing, the same code the server verifies with.
 */
import { createHash, createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { formatContentDigest } from '../core/signing/content-digest.ts';
import {
  buildSignatureBase,
  REQUIRED_COMPONENTS,
  signatureBaseBytes,
  signatureParamsList,
} from '../core/signing/signature-base.ts';
import { serializeDictionary, sf } from '../core/signing/structured-fields.ts';
import { isValidBatchId } from '../core/signing/verify-request.ts';
import { readSourceKeyFile } from './source-key.ts';

/**
 * Where sources send batches, below the server's base URL.
 *
 * @example
 * const url = `${baseUrl}${OBSERVATIONS_PATH}`; // https://truceline.example/api/v1/observations
 */
export const OBSERVATIONS_PATH = '/api/v1/observations';

/**
 * The label of the one signature a batch carries (the server accepts any single label).
 *
 * @example
 * headers['signature'].startsWith(`${SIGNATURE_LABEL}=:`) // true
 */
export const SIGNATURE_LABEL = 'sig1';

/**
 * What {@link signBatch} signs.
 *
 * @example
 * const input: SignBatchInput = { path: '/api/v1/observations', contentType: 'application/x-ndjson', body, keyId, privateKey: pem, batchId: 'gw7-42' };
 */
export type SignBatchInput = {
  /** Default `POST`. */
  readonly method?: string;
  /** `application/x-ndjson` or `application/json`; signed, so it must be sent exactly as given. */
  readonly contentType: string;
  /** The bytes sent, exactly. */
  readonly body: Uint8Array;
  readonly keyId: string;
  /** PKCS#8 PEM, or a KeyObject, of an Ed25519 private key. */
  readonly privateKey: string | KeyObject;
  /** The signature's `nonce`: 1–128 of A-Z a-z 0-9 . _ : - ; the same id when a batch is sent again. */
  readonly batchId: string;
  /** When the signature is made (default now); it is sent in whole seconds. */
  readonly createdMs?: number;
} & (
  | {
      /** The full URL the request goes to; its path is signed (`@path` leaves the query out). */ readonly url: string;
    }
  | { /** The request target (path and query) when there is no URL at hand. */ readonly path: string }
);

/**
 * The headers that sign a batch: `content-type`, `content-digest`, `signature-input`, `signature`
 * (lower-case names; send them unchanged, with the body unchanged).
 *
 * @example
 * const body = new TextEncoder().encode(ndjson);
 * const headers = signBatch({
 *   url: 'https://truceline.example/api/v1/observations',
 *   contentType: 'application/x-ndjson',
 *   body,
 *   keyId: 'ed25519-0123456789abcdef',
 *   privateKey: pem,
 *   batchId: 'gw7-2024-05-01T10:00Z',
 * });
 * await fetch('https://truceline.example/api/v1/observations', { method: 'POST', headers, body });
 * @throws if the batch id is malformed or the key is not an Ed25519 private key.
 */
export function signBatch(input: SignBatchInput): Record<string, string> {
  if (!isValidBatchId(input.batchId))
    throw new Error(
      `batch id ${JSON.stringify(input.batchId)} must be 1 to 128 characters among A-Z a-z 0-9 . _ : -`,
    );
  const key =
    typeof input.privateKey === 'string'
      ? createPrivateKey({ key: input.privateKey, format: 'pem' })
      : input.privateKey;
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ed25519')
    throw new Error('the signing key must be an Ed25519 private key');
  const method = input.method ?? 'POST';
  const path = 'url' in input ? requestTarget(input.url) : input.path;
  const headers: Record<string, string> = {
    'content-type': input.contentType,
    'content-digest': formatContentDigest(input.body, sha256),
  };
  const params = signatureParamsList(REQUIRED_COMPONENTS, {
    created: Math.floor((input.createdMs ?? Date.now()) / 1000),
    keyid: input.keyId,
    nonce: input.batchId,
    alg: 'ed25519',
  });
  const base = buildSignatureBase({ method, path, headers }, params);
  const signature = sign(null, signatureBaseBytes(base), key);
  headers['signature-input'] = serializeDictionary(new Map([[SIGNATURE_LABEL, params]]));
  headers.signature = serializeDictionary(new Map([[SIGNATURE_LABEL, sf.item(sf.bytes(signature))]]));
  return headers;
}

/**
 * What {@link postSignedBatch} sends, and with which key: a key file, or a key and its id.
 *
 * @example
 * const input: PostSignedBatchInput = { baseUrl, keyFile: 'gw-7.key', contentType: 'application/x-ndjson', body: ndjson };
 */
export type PostSignedBatchInput = {
  /** The server, e.g. `https://truceline.example`; the batch goes to `${baseUrl}/api/v1/observations`. */
  readonly baseUrl: string;
  readonly body: Uint8Array | string;
  /** `application/x-ndjson` or `application/json`. */
  readonly contentType: string;
  /** Default: a random UUID. Reuse the id to resend a batch: the server then knows it is the same one. */
  readonly batchId?: string;
  /** Default: the global fetch. */
  readonly fetch?: typeof fetch;
} & (
  | { /** A key file as written by writeSourceKeyFile. */ readonly keyFile: string }
  | { readonly key: string | KeyObject; readonly keyId: string }
);

/**
 * The server's answer to a batch.
 *
 * @example
 * const { status, body, batchId }: PostSignedBatchResult = await postSignedBatch(input);
 */
export interface PostSignedBatchResult {
  /** The HTTP status. */
  readonly status: number;
  /** The answer: parsed JSON if the server sent JSON, else the text (null if empty). */
  readonly body: unknown;
  /** The batch id that was signed (the one given, or the generated one). */
  readonly batchId: string;
}

/**
 * Signs a batch and POSTs it: all a sensor gateway needs to send observations.
 *
 * @example
 * const { status, body } = await postSignedBatch({
 *   baseUrl: 'https://truceline.example',
 *   keyFile: '/etc/truceline/gateway-7.key',
 *   contentType: 'application/x-ndjson',
 *   body: lines.map((o) => JSON.stringify(o)).join('\n'),
 * });
 * if (status !== 200) console.error(body); // { code: 'E_SIGNATURE_…', message: '…' }
 * @throws if the key file cannot be used or the server cannot be reached (fetch's error).
 */
export async function postSignedBatch(input: PostSignedBatchInput): Promise<PostSignedBatchResult> {
  const { key, keyId } =
    'keyFile' in input
      ? await readSourceKeyFile(input.keyFile).then((file) => ({ key: file.privateKey, keyId: file.keyId }))
      : input;
  const body = typeof input.body === 'string' ? new TextEncoder().encode(input.body) : input.body;
  const batchId = input.batchId ?? randomUUID();
  const url = `${input.baseUrl.replace(/\/+$/, '')}${OBSERVATIONS_PATH}`;
  const headers = signBatch({ url, contentType: input.contentType, body, keyId, privateKey: key, batchId });
  const response = await (input.fetch ?? fetch)(url, { method: 'POST', headers, body });
  const text = await response.text();
  let answer: unknown = text === '' ? null : text;
  if (text !== '' && /\bjson\b/i.test(response.headers.get('content-type') ?? ''))
    try {
      answer = JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all: the text is more useful to the caller than a parse error.
    }
  return { status: response.status, body: answer, batchId };
}

/** The path and query fetch will send for `url`, which is what the server sees as `@path`. */
function requestTarget(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

const sha256 = (bytes: Uint8Array): Uint8Array => createHash('sha256').update(bytes).digest();

/**
 * @module The RFC 9421 signature base (section 2.5): the exact bytes a source signs and the server
 * verifies, built from the request and the covered components of the Signature-Input.
 */
import { type BareItem, type InnerList, type Item, serializeMember, sf } from './structured-fields.ts';

/**
 * What a signed ingest batch must cover: the method and path (so a batch cannot be replayed on
 * another route), and the content type and Content-Digest (so the body cannot be swapped or
 * re-interpreted). `@path` excludes the query (RFC 9421 section 2.2.6).
 */
export const REQUIRED_COMPONENTS = ['@method', '@path', 'content-type', 'content-digest'] as const;
export type RequiredComponent = (typeof REQUIRED_COMPONENTS)[number];

/**
 * The derived components this module can compute. `@authority` is the `host` header, lower-cased
 * (a default port is not removed: the scheme is unknown here). The rest need the scheme or the
 * whole target URI, which the request description does not have.
 */
export const SUPPORTED_DERIVED_COMPONENTS = ['@method', '@authority', '@path', '@query'] as const;

/** The parts of a request a signature base is built from. */
export interface RequestDescription {
  /** As sent, e.g. `POST` (RFC 9421 compares methods case-sensitively). */
  readonly method: string;
  /** The request target in origin form: path and query, e.g. `/api/v1/observations?x=1`. */
  readonly path: string;
  /** Field values by name; names in any case. A list is one field sent more than once. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

/** The signature parameters of a signed ingest batch, in the order they are serialised. */
export interface SignatureParams {
  /** Unix time in seconds. */
  readonly created: number;
  readonly keyid: string;
  /** The batch id the source chose. */
  readonly nonce: string;
  readonly alg?: 'ed25519';
  /** Unix time in seconds after which the signature is not accepted. */
  readonly expires?: number;
}

/** A component the base cannot be built from: absent from the request (`missing`) or not usable (`invalid`). */
export class SignatureBaseError extends Error {
  override readonly name = 'SignatureBaseError';
  constructor(
    readonly reason: 'missing' | 'invalid',
    /** The component identifier, e.g. `content-type` or `@path`. */
    readonly component: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The inner list that goes into Signature-Input and, serialised, into `@signature-params`.
 *
 * @example
 * serializeMember(signatureParamsList(REQUIRED_COMPONENTS, { created: 1618884473, keyid: 'k', nonce: 'b1', alg: 'ed25519' }))
 * // '("@method" "@path" "content-type" "content-digest");created=1618884473;keyid="k";nonce="b1";alg="ed25519"'
 */
export function signatureParamsList(components: readonly string[], params: SignatureParams): InnerList {
  const map = new Map<string, BareItem>([
    ['created', sf.integer(params.created)],
    ['keyid', sf.string(params.keyid)],
    ['nonce', sf.string(params.nonce)],
  ]);
  if (params.alg !== undefined) map.set('alg', sf.string(params.alg));
  if (params.expires !== undefined) map.set('expires', sf.integer(params.expires));
  return sf.innerList(
    components.map((c) => sf.item(sf.string(c))),
    map,
  );
}

/**
 * Builds the signature base: one `"name": value` line per covered component, in the signer's order,
 * then the `@signature-params` line, with no final newline.
 *
 * @example
 * buildSignatureBase(
 *   { method: 'POST', path: '/api/v1/observations', headers: { 'content-type': 'application/x-ndjson', 'content-digest': 'sha-256=:…:' } },
 *   signatureParamsList(REQUIRED_COMPONENTS, { created: 1700000000, keyid: 'ed25519-…', nonce: 'b1', alg: 'ed25519' }),
 * )
 * // '"@method": POST\n"@path": /api/v1/observations\n"content-type": application/x-ndjson\n…\n"@signature-params": (…)…'
 * @throws SignatureBaseError if a component is repeated, has parameters, is not supported, or is
 * absent from the request; StructuredFieldError if the parameters cannot be serialised.
 */
export function buildSignatureBase(request: RequestDescription, signatureInput: InnerList): string {
  const headers = new Map<string, string | readonly string[]>();
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers.set(name.toLowerCase(), value);
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const item of signatureInput.items) {
    const id = componentIdentifier(item);
    if (seen.has(id)) throw new SignatureBaseError('invalid', id, `component "${id}" is covered twice`);
    seen.add(id);
    const value = componentValue(request, headers, id);
    lines.push(`"${id}": ${value}`);
  }
  lines.push(`"@signature-params": ${serializeMember(signatureInput)}`);
  return lines.join('\n');
}

function componentIdentifier(item: Item): string {
  if (item.value.type !== 'string')
    throw new SignatureBaseError('invalid', String(item.value.value), 'a covered component must be a string');
  const id = item.value.value;
  // ;sf, ;key, ;req, ;bs… change what a component means; a batch signature has no use for them.
  if (item.params.size > 0)
    throw new SignatureBaseError(
      'invalid',
      id,
      `component "${id}" has parameters (${[...item.params.keys()].join(', ')}), which are not supported`,
    );
  if (id === '@signature-params')
    throw new SignatureBaseError('invalid', id, '"@signature-params" may not be a covered component');
  return id;
}

function componentValue(
  request: RequestDescription,
  headers: ReadonlyMap<string, string | readonly string[]>,
  id: string,
): string {
  if (id.startsWith('@')) {
    if (!(SUPPORTED_DERIVED_COMPONENTS as readonly string[]).includes(id))
      throw new SignatureBaseError('invalid', id, `derived component "${id}" is not supported`);
    if (id === '@method') return checkValue(id, request.method);
    if (id === '@authority') {
      const host = headers.get('host');
      if (host === undefined || typeof host !== 'string')
        throw new SignatureBaseError(
          'missing',
          id,
          'the signature covers "@authority" but the request has no single Host header',
        );
      return checkValue(id, host.trim().toLowerCase());
    }
    if (!request.path.startsWith('/'))
      throw new SignatureBaseError(
        'invalid',
        id,
        `the request target ${JSON.stringify(request.path)} is not a path`,
      );
    const queryAt = request.path.indexOf('?');
    const path = queryAt === -1 ? request.path : request.path.slice(0, queryAt);
    if (id === '@path') return checkValue(id, path);
    return checkValue(id, queryAt === -1 ? '?' : request.path.slice(queryAt));
  }
  if (!/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(id))
    throw new SignatureBaseError('invalid', id, `"${id}" is not a lower-case field name`);
  const raw = headers.get(id);
  if (raw === undefined)
    throw new SignatureBaseError(
      'missing',
      id,
      `the signature covers "${id}" but the request has no such header`,
    );
  // Section 2.1: several field lines are joined with ", ", each trimmed of surrounding whitespace.
  const lines = typeof raw === 'string' ? [raw] : raw;
  return checkValue(id, lines.map((line) => line.replace(/^[ \t]+|[ \t]+$/g, '')).join(', '));
}

/** The base is ASCII text, one component per line: a value may not break a line or leave ASCII. */
function checkValue(id: string, value: string): string {
  if (!/^[\t\x20-\x7e]*$/.test(value))
    throw new SignatureBaseError('invalid', id, `"${id}" has a character outside printable ASCII`);
  return value;
}

/** The signature base as the bytes that are signed (it is ASCII, so one byte per character). */
export function signatureBaseBytes(base: string): Uint8Array {
  const bytes = new Uint8Array(base.length);
  for (let i = 0; i < base.length; i++) bytes[i] = base.charCodeAt(i);
  return bytes;
}

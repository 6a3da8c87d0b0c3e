/**
 * @module C2SP signed notes (c2sp.org/signed-note) and the key texts of golang.org/x/mod/sumdb/note:
 * the envelope of checkpoints and cosignatures, so that any tool of the transparency-log
 * ecosystem can read and check what the ledger signs. Ed25519 and SHA-256 are injected.
 */
import { TrucelineError } from '../errors.ts';
import { decodeBase64, encodeBase64 } from './base64.ts';
import { bytesEqual, concatBytes, type Sha256, toHex, utf8 } from './hash.ts';

/**
 * Ed25519 (RFC 8032) as core needs it, injected because core has no node:crypto. Signing is
 * deterministic, so the same seed and message always give the same 64 bytes.
 */
export interface Ed25519 {
  /** The 64-byte signature of `message` by the key with this 32-byte seed. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** Whether `signature` is a valid signature of `message` by this 32-byte public key. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /** The 32-byte public key of a 32-byte seed. */
  publicKey(seed: Uint8Array): Uint8Array;
}

/** The signature type byte of plain Ed25519 note signatures (signed-note, "Signature types"). */
export const ED25519_SIGNATURE_TYPE = 0x01;

/**
 * The most signatures a note may carry. The specification asks verifiers to accept at least 16;
 * golang.org/x/mod/sumdb/note refuses more than 100, and so does this.
 */
export const MAX_NOTE_SIGNATURES = 100;

/** A public key as a verifier key text names it: `<name>+<key id hex>+<base64(type ‖ key)>`. */
export interface VerifierKey {
  readonly name: string;
  /** The 4-byte key id, SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]. */
  readonly keyId: Uint8Array;
  readonly type: number;
  readonly publicKey: Uint8Array;
}

/** A private key as `PRIVATE+KEY+<name>+<key id hex>+<base64(type ‖ seed)>` names it. */
export interface PrivateKey extends VerifierKey {
  /** The 32-byte Ed25519 seed: the secret. */
  readonly seed: Uint8Array;
}

/** One signature line of a note: the key's name and id, and the signature bytes after the id. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly payload: Uint8Array;
}

/** A note taken apart: its text (the signed bytes) and its signature lines, unverified. */
export interface SignedNote {
  readonly body: string;
  readonly signatures: readonly NoteSignature[];
}

/** Signs note bodies with one key; `sign` returns the signature bytes that follow the key id. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** Checks the signatures of one key; `payload` is what follows the key id in the line. */
export interface NoteVerifier {
  readonly name: string;
  readonly keyId: Uint8Array;
  verify(message: Uint8Array, payload: Uint8Array): boolean;
}

/** A note after {@link verifyNote}: the signatures of known keys (all valid) and the others. */
export interface VerifiedNote {
  readonly body: string;
  readonly verified: readonly NoteSignature[];
  readonly unverified: readonly NoteSignature[];
}

const SIGNATURE_PREFIX = '\u2014 ';
const PRIVATE_PREFIX = 'PRIVATE+KEY+';
const WHITE_SPACE = /\p{White_Space}/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex -- the point is to find ASCII control characters.
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000B-\u001F]/;

const invalid = (message: string, path: string, reason: string): TrucelineError =>
  new TrucelineError('E_VALIDATION', message, { issues: [{ path, reason }] });

/**
 * Whether a key name is valid: non-empty, without Unicode white space or `+` (the key text
 * separator). Names also appear in signature lines, where a space would end them.
 */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !WHITE_SPACE.test(name) && !name.includes('+') && !LONE_SURROGATE.test(name);
}

function checkKeyName(name: string, path: string): void {
  if (!isValidKeyName(name))
    throw invalid(
      `Key name ${JSON.stringify(name)} is not valid: it must be non-empty, without spaces or '+'`,
      path,
      'empty, or contains white space or +',
    );
}

/** The key id SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4] of signed-note, "Signatures". */
export function computeKeyId(sha: Sha256, name: string, type: number, publicKey: Uint8Array): Uint8Array {
  return sha(concatBytes(utf8(`${name}\n`), new Uint8Array([type]), publicKey)).slice(0, 4);
}

function checkKeyBytes(bytes: Uint8Array, length: number, path: string, what: string): void {
  if (bytes.length !== length)
    throw invalid(`${what} must be ${length} bytes, not ${bytes.length}`, path, `not ${length} bytes`);
}

/** Splits `name+hex+base64` at its first two `+` (the base64 may contain more). */
function splitKeyText(text: string): [string, string, string] | undefined {
  const first = text.indexOf('+');
  const second = first < 0 ? -1 : text.indexOf('+', first + 1);
  if (second < 0) return undefined;
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

interface KeyParts {
  readonly name: string;
  readonly keyId: Uint8Array;
  readonly type: number;
  readonly material: Uint8Array;
}

/** The parts of `name+hex+base64(type ‖ material)`; never echoes the text (it may be secret). */
function parseKeyParts(text: string, type: number, path: string, what: string): KeyParts {
  const parts = splitKeyText(text);
  const fail = (reason: string): TrucelineError => invalid(`${what} is malformed: ${reason}`, path, reason);
  if (parts === undefined) throw fail('not <name>+<key id>+<key>');
  const [name, idHex, encoded] = parts;
  if (!isValidKeyName(name)) throw fail('the name is empty or contains white space');
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) throw fail('the key id is not 8 hex digits');
  const bytes = decodeBase64(encoded);
  if (bytes === undefined || bytes.length === 0) throw fail('the key is not base64');
  if (bytes[0] !== type)
    throw fail(
      `the signature type is 0x${toHex(bytes.subarray(0, 1))}, not 0x${toHex(new Uint8Array([type]))}`,
    );
  const keyId = new Uint8Array(4);
  for (let i = 0; i < 4; i++) keyId[i] = Number.parseInt(idHex.slice(2 * i, 2 * i + 2), 16);
  return { name, keyId, type, material: bytes.slice(1) };
}

/**
 * Parses a verifier key text such as `PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW`
 * and checks that its key id is the one its name and key give, so a mistyped key is refused
 * rather than silently never matching a signature. `type` is 0x01 (Ed25519) unless a
 * specification built on signed notes says otherwise (0x04 for cosignatures).
 *
 * @throws TrucelineError E_VALIDATION if the text is malformed, of another type, or its id is wrong.
 */
export function parseVerifierKey(
  text: string,
  sha: Sha256,
  type: number = ED25519_SIGNATURE_TYPE,
): VerifierKey {
  const { name, keyId, material } = parseKeyParts(text, type, 'verifierKey', 'The verifier key');
  checkKeyBytes(material, 32, 'verifierKey', 'An Ed25519 public key');
  if (!bytesEqual(keyId, computeKeyId(sha, name, type, material)))
    throw invalid(
      `The verifier key of ${JSON.stringify(name)} has key id ${toHex(keyId)}, which its name and key do not give`,
      'verifierKey',
      'wrong key id',
    );
  return Object.freeze({ name, keyId, type, publicKey: material });
}

/** The verifier key text of a 32-byte Ed25519 public key: what a log or witness publishes. */
export function formatVerifierKey(
  name: string,
  publicKey: Uint8Array,
  sha: Sha256,
  type: number = ED25519_SIGNATURE_TYPE,
): string {
  checkKeyName(name, 'name');
  checkKeyBytes(publicKey, 32, 'publicKey', 'An Ed25519 public key');
  const keyId = computeKeyId(sha, name, type, publicKey);
  return `${name}+${toHex(keyId)}+${encodeBase64(concatBytes(new Uint8Array([type]), publicKey))}`;
}

/**
 * Parses a private key text `PRIVATE+KEY+<name>+<key id>+<base64(type ‖ seed)>` and checks its key
 * id against the public key derived from the seed. Error messages never repeat the text.
 *
 * @throws TrucelineError E_VALIDATION if the text is malformed, of another type, or its id is wrong.
 */
export function parsePrivateKey(
  text: string,
  ed: Pick<Ed25519, 'publicKey'>,
  sha: Sha256,
  type: number = ED25519_SIGNATURE_TYPE,
): PrivateKey {
  if (!text.startsWith(PRIVATE_PREFIX))
    throw invalid(
      'The private key is malformed: it does not start with PRIVATE+KEY+',
      'privateKey',
      'no prefix',
    );
  const { name, keyId, material } = parseKeyParts(
    text.slice(PRIVATE_PREFIX.length),
    type,
    'privateKey',
    'The private key',
  );
  checkKeyBytes(material, 32, 'privateKey', 'An Ed25519 seed');
  const publicKey = ed.publicKey(material);
  if (!bytesEqual(keyId, computeKeyId(sha, name, type, publicKey)))
    throw invalid(
      `The private key of ${JSON.stringify(name)} has a key id its public key does not give`,
      'privateKey',
      'wrong key id',
    );
  return Object.freeze({ name, keyId, type, publicKey, seed: material });
}

/**
 * The private key text of a 32-byte Ed25519 seed. The public key (from the injected Ed25519's
 * `publicKey`) gives the key id.
 */
export function formatPrivateKey(
  name: string,
  seed: Uint8Array,
  publicKey: Uint8Array,
  sha: Sha256,
  type: number = ED25519_SIGNATURE_TYPE,
): string {
  checkKeyName(name, 'name');
  checkKeyBytes(seed, 32, 'seed', 'An Ed25519 seed');
  checkKeyBytes(publicKey, 32, 'publicKey', 'An Ed25519 public key');
  const keyId = computeKeyId(sha, name, type, publicKey);
  return `${PRIVATE_PREFIX}${name}+${toHex(keyId)}+${encodeBase64(concatBytes(new Uint8Array([type]), seed))}`;
}

/** Why a text cannot be (part of) a note: the specification's character rules. */
function textProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'it is not valid UTF-8 (a lone surrogate)';
  if (CONTROL_EXCEPT_NEWLINE.test(text)) return 'it contains an ASCII control character other than newline';
  return undefined;
}

/** Why a body cannot be signed, if it cannot. */
function bodyProblem(body: string): string | undefined {
  if (body === '') return 'it is empty';
  if (!body.endsWith('\n')) return 'it does not end with a newline';
  return textProblem(body);
}

function checkBody(body: string): void {
  const problem = bodyProblem(body);
  if (problem !== undefined) throw invalid(`The note body cannot be signed: ${problem}`, 'body', problem);
}

/** The signature line `— <name> <base64(key id ‖ payload)>`, without its newline. */
export function formatSignatureLine(signature: NoteSignature): string {
  checkKeyName(signature.name, 'name');
  checkKeyBytes(signature.keyId, 4, 'keyId', 'A key id');
  if (signature.payload.length === 0) throw invalid('A signature cannot be empty', 'payload', 'empty');
  return `${SIGNATURE_PREFIX}${signature.name} ${encodeBase64(concatBytes(signature.keyId, signature.payload))}`;
}

/**
 * Parses one signature line (without its newline): U+2014, a space, a valid key name, a space,
 * and the base64 of a 4-byte key id followed by at least one byte of signature.
 *
 * @throws TrucelineError E_VALIDATION naming what is wrong with the line.
 */
export function parseSignatureLine(line: string, path = 'signature'): NoteSignature {
  const fail = (reason: string): TrucelineError =>
    invalid(`Signature line is malformed: ${reason}`, path, reason);
  if (!line.startsWith(SIGNATURE_PREFIX))
    throw fail('it does not start with an em dash (U+2014) and a space');
  const rest = line.slice(SIGNATURE_PREFIX.length);
  const space = rest.indexOf(' ');
  if (space < 0) throw fail('no space between the key name and the signature');
  const name = rest.slice(0, space);
  if (!isValidKeyName(name))
    throw fail(`key name ${JSON.stringify(name)} is empty or has white space or '+'`);
  const bytes = decodeBase64(rest.slice(space + 1));
  if (bytes === undefined) throw fail('the signature is not base64');
  if (bytes.length < 5) throw fail('the signature is shorter than a key id and one byte');
  return Object.freeze({ name, keyId: bytes.slice(0, 4), payload: bytes.slice(4) });
}

/**
 * The text of a signed note: the body, a blank line, and each signature line with its newline.
 *
 * @throws TrucelineError E_VALIDATION if the body cannot be signed or a line is not a signature.
 */
export function formatNote(body: string, signatureLines: readonly string[]): string {
  checkBody(body);
  if (signatureLines.length === 0) throw invalid('A signed note needs a signature', 'signatures', 'none');
  if (signatureLines.length > MAX_NOTE_SIGNATURES)
    throw invalid(`A note has at most ${MAX_NOTE_SIGNATURES} signatures`, 'signatures', 'too many');
  signatureLines.forEach((line, i) => parseSignatureLine(line, `signatures[${i}]`));
  return `${body}\n${signatureLines.map((line) => `${line}\n`).join('')}`;
}

/**
 * Takes a signed note apart, strictly: valid UTF-8 without control characters but newline, the
 * body (ending with its newline) separated from the signatures by the last blank line, one or
 * more well-formed signature lines each ending with a newline, at most {@link MAX_NOTE_SIGNATURES}.
 * Nothing is verified; see {@link verifyNote}.
 *
 * @throws TrucelineError E_VALIDATION naming the first problem.
 */
export function parseNote(text: string): SignedNote {
  const fail = (reason: string, path = 'note'): TrucelineError =>
    invalid(`Signed note is malformed: ${reason}`, path, reason);
  const problem = textProblem(text);
  if (problem !== undefined) throw fail(problem);
  const split = text.lastIndexOf('\n\n');
  if (split < 0) throw fail('no blank line before the signatures');
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === '') throw fail('no signature lines');
  if (!block.endsWith('\n')) throw fail('the last signature line does not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw fail(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const signatures = lines.map((line, i) => parseSignatureLine(line, `signatures[${i}]`));
  return Object.freeze({ body, signatures: Object.freeze(signatures) });
}

/**
 * Signs a note body and returns the signature line (without newline) for {@link formatNote}.
 *
 * @throws TrucelineError E_VALIDATION if the body cannot be signed or the signer's name is invalid.
 */
export function signNote(body: string, signer: NoteSigner): string {
  checkBody(body);
  checkKeyName(signer.name, 'signer.name');
  return formatSignatureLine({ name: signer.name, keyId: signer.keyId, payload: signer.sign(utf8(body)) });
}

const keyOf = (name: string, keyId: Uint8Array): string => `${name}+${toHex(keyId)}`;

/**
 * Verifies a note against known keys, as signed-note and golang.org/x/mod/sumdb/note do: a
 * signature whose name and key id match no known key is returned unverified (that is how
 * witnesses and rotated keys coexist), once however often the line repeats; one that matches
 * must verify, or the whole note is refused; a key that signed twice is checked once; and at
 * least one known key must have signed.
 *
 * @throws TrucelineError E_VALIDATION if the note is malformed or two verifiers share a name and id;
 *   E_LEDGER_VERIFY if a known key's signature is invalid or no known key signed.
 */
export function verifyNote(note: string | SignedNote, verifiers: readonly NoteVerifier[]): VerifiedNote {
  const { body, signatures } = typeof note === 'string' ? parseNote(note) : note;
  const known = new Map<string, NoteVerifier>();
  verifiers.forEach((verifier, i) => {
    const key = keyOf(verifier.name, verifier.keyId);
    if (known.has(key))
      throw invalid(
        `Two verifiers have the key ${key}`,
        `verifiers[${i}]`,
        'same name and key id as another',
      );
    known.set(key, verifier);
  });
  const message = utf8(body);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  const seenUnverified = new Set<string>();
  for (const signature of signatures) {
    const key = keyOf(signature.name, signature.keyId);
    const verifier = known.get(key);
    if (verifier === undefined) {
      const line = `${key}+${encodeBase64(signature.payload)}`;
      if (!seenUnverified.has(line)) unverified.push(signature);
      seenUnverified.add(line);
      continue;
    }
    if (seen.has(key)) continue;
    seen.add(key);
    if (!verifier.verify(message, signature.payload))
      throw new TrucelineError('E_LEDGER_VERIFY', `The note's signature by ${key} does not verify`, {
        details: { name: signature.name, keyId: toHex(signature.keyId) },
      });
    verified.push(signature);
  }
  if (verified.length === 0)
    throw new TrucelineError('E_LEDGER_VERIFY', 'The note has no signature by a known key', {
      details: { signers: signatures.map((s) => keyOf(s.name, s.keyId)) },
    });
  return Object.freeze({ body, verified: Object.freeze(verified), unverified: Object.freeze(unverified) });
}

/** A {@link NoteSigner} of plain Ed25519 signatures (type 0x01) with a parsed private key. */
export function ed25519Signer(key: PrivateKey, ed: Pick<Ed25519, 'sign'>): NoteSigner {
  if (key.type !== ED25519_SIGNATURE_TYPE)
    throw invalid('The private key is not of type 0x01 (Ed25519)', 'key.type', 'not 0x01');
  return Object.freeze({
    name: key.name,
    keyId: key.keyId,
    sign: (message: Uint8Array) => ed.sign(key.seed, message),
  });
}

/** A {@link NoteVerifier} of plain Ed25519 signatures (type 0x01): the payload is the signature. */
export function ed25519Verifier(key: VerifierKey, ed: Pick<Ed25519, 'verify'>): NoteVerifier {
  if (key.type !== ED25519_SIGNATURE_TYPE)
    throw invalid('The verifier key is not of type 0x01 (Ed25519)', 'key.type', 'not 0x01');
  return Object.freeze({
    name: key.name,
    keyId: key.keyId,
    verify: (message: Uint8Array, payload: Uint8Array) =>
      payload.length === 64 && ed.verify(key.publicKey, message, payload),
  });
}

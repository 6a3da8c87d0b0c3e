/**
 * @module Ed25519 witness cosignatures of checkpoints (c2sp.org/tlog-cosignature, `cosignature/v1`):
 * a witness's signed statement that, at a given time, this is the largest consistent tree it has
 * seen for the log. Producing exactly this format lets a party run our witness or any other, and
 * lets readers require a quorum of them before trusting a tree head.
 */
import { TrucelineError } from '../errors.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { bytesEqual, concatBytes, type Sha256, utf8 } from './hash.ts';
import {
  computeKeyId,
  type Ed25519,
  formatPrivateKey,
  formatSignatureLine,
  formatVerifierKey,
  type NoteSignature,
  type NoteSigner,
  type NoteVerifier,
  parsePrivateKey,
  parseSignatureLine,
  parseVerifierKey,
  type PrivateKey,
  type VerifierKey,
} from './signed-note.ts';

/**
 * The signature type byte of Ed25519 cosignatures: it goes into the key id and, by the
 * specification's leave, into the witness's verifier key text.
 */
export const COSIGNATURE_TYPE = 0x04;

/** The first line of the signed message: domain separation from plain note signatures. */
export const COSIGNATURE_HEADER = 'cosignature/v1';

const TIMESTAMP_BYTES = 8;
const SIGNATURE_BYTES = 64;

/** A witness's signing key: its name and Ed25519 seed, and the public key if already known. */
export interface Witness {
  readonly name: string;
  readonly seed: Uint8Array;
  readonly publicKey?: Uint8Array;
}

/** The result of checking one cosignature against one witness key. */
export type CosignatureCheck =
  | { readonly ok: true; readonly timeSeconds: number }
  | {
      readonly ok: false;
      /** The signed time, when the signature was well-formed enough to carry one. */
      readonly timeSeconds: number | undefined;
      /**
       * `other-key`: the line is by another key (another name or key id) and says nothing either
       * way; `malformed`: not a cosignature/v1 (wrong length, or a time past 2^53 − 1) or the body
       * is not a checkpoint; `bad-signature`: the key's signature does not verify.
       */
      readonly reason: 'other-key' | 'malformed' | 'bad-signature';
    };

function checkTime(timeSeconds: number): void {
  if (!Number.isSafeInteger(timeSeconds) || timeSeconds < 0)
    throw new TrucelineError(
      'E_VALIDATION',
      `The cosignature time ${String(timeSeconds)} is not whole seconds`,
      {
        issues: [{ path: 'timeSeconds', reason: 'not a non-negative safe integer' }],
      },
    );
}

/**
 * The bytes an Ed25519 cosigner signs: `cosignature/v1\n`, `time <seconds>\n`, then the whole
 * checkpoint body (extension lines included).
 *
 * @throws TrucelineError E_VALIDATION if the body is not a checkpoint or the time is not whole seconds.
 */
export function cosignatureMessage(checkpointBody: string, timeSeconds: number): Uint8Array {
  checkTime(timeSeconds);
  parseCheckpoint(checkpointBody);
  return utf8(`${COSIGNATURE_HEADER}\ntime ${timeSeconds}\n${checkpointBody}`);
}

function checkCosignatureKey(key: VerifierKey): void {
  if (key.type !== COSIGNATURE_TYPE)
    throw new TrucelineError('E_VALIDATION', 'The verifier key is not of type 0x04 (Ed25519 cosignature)', {
      issues: [{ path: 'key.type', reason: 'not 0x04' }],
    });
}

function timestampBytes(timeSeconds: number): Uint8Array {
  const bytes = new Uint8Array(TIMESTAMP_BYTES);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(timeSeconds));
  return bytes;
}

/**
 * The time a cosignature carries: the big-endian u64 after the key id. Undefined if the payload
 * is not timestamp ‖ 64-byte signature or the time is past 2^53 − 1 seconds (no real time is).
 */
export function cosignatureTime(signature: Pick<NoteSignature, 'payload'>): number | undefined {
  const { payload } = signature;
  if (payload.length !== TIMESTAMP_BYTES + SIGNATURE_BYTES) return undefined;
  const time = new DataView(payload.buffer, payload.byteOffset, TIMESTAMP_BYTES).getBigUint64(0);
  return time <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(time) : undefined;
}

/** The witness's public key, derived from its seed unless given. */
const publicKeyOf = (witness: Witness, ed: Pick<Ed25519, 'publicKey'>): Uint8Array =>
  witness.publicKey ?? ed.publicKey(witness.seed);

/**
 * A {@link NoteSigner} that cosigns at a fixed time, for signNote: its `sign` receives the note
 * body and returns timestamp ‖ signature.
 */
export function cosignatureSigner(
  witness: Witness,
  timeSeconds: number,
  ed: Pick<Ed25519, 'sign' | 'publicKey'>,
  sha: Sha256,
): NoteSigner {
  checkTime(timeSeconds);
  const keyId = computeKeyId(sha, witness.name, COSIGNATURE_TYPE, publicKeyOf(witness, ed));
  return Object.freeze({
    name: witness.name,
    keyId,
    sign: (body: Uint8Array) => {
      const message = cosignatureMessage(new TextDecoder().decode(body), timeSeconds);
      return concatBytes(timestampBytes(timeSeconds), ed.sign(witness.seed, message));
    },
  });
}

/**
 * Co-signs a checkpoint body as `witness` at `timeSeconds`, and returns the signature line
 * (without newline) to add to the checkpoint's note: `— <name> base64(key id ‖ time ‖ signature)`.
 * Whether the checkpoint extends the last one co-signed is the caller's check, made first.
 *
 * @throws TrucelineError E_VALIDATION if the body is not a checkpoint, the time is not whole
 *   seconds, or the witness's name is not a valid key name.
 */
export function cosign(
  checkpointBody: string,
  witness: Witness,
  timeSeconds: number,
  ed: Pick<Ed25519, 'sign' | 'publicKey'>,
  sha: Sha256,
): string {
  const message = cosignatureMessage(checkpointBody, timeSeconds);
  const keyId = computeKeyId(sha, witness.name, COSIGNATURE_TYPE, publicKeyOf(witness, ed));
  const payload = concatBytes(timestampBytes(timeSeconds), ed.sign(witness.seed, message));
  return formatSignatureLine({ name: witness.name, keyId, payload });
}

/**
 * Checks one cosignature of a checkpoint body against a witness's key (type 0x04). A line by
 * another key is `other-key`, not a failure: notes carry the signatures of many keys.
 *
 * @throws TrucelineError E_VALIDATION if `signature` is a text that is not a signature line, or
 *   the key is not of type 0x04.
 */
export function verifyCosignature(
  checkpointBody: string,
  signature: string | NoteSignature,
  key: VerifierKey,
  ed: Pick<Ed25519, 'verify'>,
): CosignatureCheck {
  checkCosignatureKey(key);
  const parsed = typeof signature === 'string' ? parseSignatureLine(signature) : signature;
  const timeSeconds = cosignatureTime(parsed);
  if (parsed.name !== key.name || !bytesEqual(parsed.keyId, key.keyId))
    return { ok: false, timeSeconds, reason: 'other-key' };
  if (timeSeconds === undefined) return { ok: false, timeSeconds, reason: 'malformed' };
  let message: Uint8Array;
  try {
    message = cosignatureMessage(checkpointBody, timeSeconds);
  } catch {
    return { ok: false, timeSeconds, reason: 'malformed' };
  }
  return ed.verify(key.publicKey, message, parsed.payload.subarray(TIMESTAMP_BYTES))
    ? { ok: true, timeSeconds }
    : { ok: false, timeSeconds, reason: 'bad-signature' };
}

/**
 * A {@link NoteVerifier} of a witness's cosignatures, for verifyNote: with it and the log's key, a
 * reader checks a checkpoint and all its cosignatures in one call.
 */
export function cosignatureVerifier(key: VerifierKey, ed: Pick<Ed25519, 'verify'>): NoteVerifier {
  checkCosignatureKey(key);
  return Object.freeze({
    name: key.name,
    keyId: key.keyId,
    verify: (message: Uint8Array, payload: Uint8Array) =>
      verifyCosignature(
        new TextDecoder().decode(message),
        { name: key.name, keyId: key.keyId, payload },
        key,
        ed,
      ).ok,
  });
}

/**
 * Parses a witness's verifier key text, `<name>+<key id>+base64(0x04 ‖ public key)`, checking its
 * key id. The specification lets Ed25519 cosigner keys be written this way.
 *
 * @throws TrucelineError E_VALIDATION if the text is malformed, not of type 0x04, or its id is wrong.
 */
export function parseWitnessVerifierKey(text: string, sha: Sha256): VerifierKey {
  return parseVerifierKey(text, sha, COSIGNATURE_TYPE);
}

/** The verifier key text of a witness (type 0x04): what a witness operator publishes. */
export function formatWitnessVerifierKey(name: string, publicKey: Uint8Array, sha: Sha256): string {
  return formatVerifierKey(name, publicKey, sha, COSIGNATURE_TYPE);
}

/**
 * Parses a witness's private key text, `PRIVATE+KEY+<name>+<key id>+base64(0x04 ‖ seed)` (the form
 * transparency-dev/formats reads), checking its key id against the derived public key.
 *
 * @throws TrucelineError E_VALIDATION if the text is malformed, not of type 0x04, or its id is wrong.
 */
export function parseWitnessPrivateKey(
  text: string,
  ed: Pick<Ed25519, 'publicKey'>,
  sha: Sha256,
): PrivateKey {
  return parsePrivateKey(text, ed, sha, COSIGNATURE_TYPE);
}

/** The private key text of a witness (type 0x04). Keep it secret. */
export function formatWitnessPrivateKey(
  name: string,
  seed: Uint8Array,
  publicKey: Uint8Array,
  sha: Sha256,
): string {
  return formatPrivateKey(name, seed, publicKey, sha, COSIGNATURE_TYPE);
}

import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { isTrucelineError } from '../errors.ts';
import { decodeBase64 } from './base64.ts';
import { formatCheckpoint } from './checkpoint.ts';
import {
  cosign,
  COSIGNATURE_TYPE,
  cosignatureMessage,
  cosignatureSigner,
  cosignatureTime,
  cosignatureVerifier,
  formatWitnessPrivateKey,
  formatWitnessVerifierKey,
  parseWitnessPrivateKey,
  parseWitnessVerifierKey,
  verifyCosignature,
  type Witness,
} from './cosignature.ts';
import { concatBytes, toHex, type Sha256, utf8 } from './hash.ts';
import {
  computeKeyId,
  type Ed25519,
  ed25519Signer,
  ed25519Verifier,
  formatNote,
  formatVerifierKey,
  parseNote,
  parsePrivateKey,
  parseSignatureLine,
  parseVerifierKey,
  signNote,
  verifyNote,
} from './signed-note.ts';

const sha: Sha256 = (data) => new Uint8Array(createHash('sha256').update(data).digest());

// Ed25519 from node:crypto, built from raw 32-byte seeds and keys.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const privateKeyObject = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
const publicKeyObject = (publicKey: Uint8Array): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
const ed: Ed25519 = {
  sign: (seed, message) => new Uint8Array(sign(null, message, privateKeyObject(seed))),
  verify: (publicKey, message, signature) => {
    try {
      return verify(null, message, publicKeyObject(publicKey), signature);
    } catch {
      return false;
    }
  },
  publicKey: (seed) =>
    new Uint8Array(createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' })).slice(
      -32,
    ),
};

const errorCode = (code: string) => (error: unknown) => isTrucelineError(error) && error.code === code;

const SOFA = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const witness: Witness = { name: 'witness.truceline.example/chair', seed: new Uint8Array(32).fill(7) };
const witnessKey = () =>
  parseWitnessVerifierKey(formatWitnessVerifierKey(witness.name, ed.publicKey(witness.seed), sha), sha);

// A checkpoint of the transparency.dev staging CT log "arche2025h1", with its own signatures and
// the cosignatures of four public witnesses, as one finds it published. The log's key is listed
// in the witness network's log list; remora.n621.de's witness key (type 0x04) is in the tests of
// transparency-dev/formats (note/note_cosigv1_test.go) and the witness network's tables.
const ARCHE_BODY =
  'arche2025h1.staging.ct.transparency.dev\n1432088532\nU7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=\n';
const ARCHE_NOTE = `${ARCHE_BODY}
— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
`;
const ARCHE_LOG_VKEY =
  'arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f';
const REMORA_VKEY = 'remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2';

describe('cosignature format', () => {
  it('signs "cosignature/v1", the time and the whole checkpoint body', () => {
    assert.deepEqual(cosignatureMessage(SOFA, 1679315147), utf8(`cosignature/v1\ntime 1679315147\n${SOFA}`));
    assert.deepEqual(cosignatureMessage(SOFA, 0), utf8(`cosignature/v1\ntime 0\n${SOFA}`));
  });

  it('makes a line of key id ‖ big-endian time ‖ Ed25519 signature, with the 0x04 key id', () => {
    const line = cosign(SOFA, witness, 1679315147, ed, sha);
    const signature = parseSignatureLine(line);
    assert.equal(signature.name, witness.name);
    const publicKey = ed.publicKey(witness.seed);
    const expectedId = sha(concatBytes(utf8(`${witness.name}\n`), new Uint8Array([0x04]), publicKey)).slice(
      0,
      4,
    );
    assert.deepEqual(signature.keyId, expectedId);
    assert.equal(signature.payload.length, 72);
    assert.equal(toHex(signature.payload.subarray(0, 8)), '00000000641850cb');
    // The signature is checked here with node:crypto directly, not with the code under test.
    const message = Buffer.from(`cosignature/v1\ntime 1679315147\n${SOFA}`);
    assert.ok(verify(null, message, publicKeyObject(publicKey), signature.payload.subarray(8)));
  });

  it('reads the times of published cosignatures', () => {
    // tlog-cosignature's example (time 1679315147, the time of its signed-message example).
    const example = parseSignatureLine(
      '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==',
    );
    assert.equal(cosignatureTime(example), 1679315147);
    // transparency-dev/formats, note/note_cosigv1_test.go, TestCoSigV1Timestamp.
    const base64 = (text: string) => {
      const bytes = decodeBase64(text);
      assert.ok(bytes);
      return { payload: bytes.subarray(4) };
    };
    assert.equal(
      cosignatureTime(
        base64(
          'ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==',
        ),
      ),
      1727964367,
    );
    // A plain Ed25519 note signature is no cosignature.
    assert.equal(
      cosignatureTime(
        base64(
          'eQjRQm6eSKzFoiYalgwCPXu2y3ijtg68is9M46JKxuZB+dRfTmeQeDBoXnvxZx2ugnkyV+MUMLXpWs1hPb/W/4xkNQY=',
        ),
      ),
      undefined,
    );
    const tooLate = new Uint8Array(72);
    tooLate[1] = 0x20; // 2^53
    assert.equal(cosignatureTime({ payload: tooLate }), undefined);
  });

  it('refuses a body that is not a checkpoint and a time that is not whole seconds', () => {
    assert.throws(() => cosign('not a checkpoint\n', witness, 1, ed, sha), errorCode('E_VALIDATION'));
    assert.throws(() => cosign(SOFA.slice(0, -1), witness, 1, ed, sha), errorCode('E_VALIDATION'));
    for (const time of [-1, 1.5, Number.NaN, 2 ** 53])
      assert.throws(() => cosign(SOFA, witness, time, ed, sha), errorCode('E_VALIDATION'), String(time));
    assert.throws(
      () => cosign(SOFA, { ...witness, name: 'bad name' }, 1, ed, sha),
      errorCode('E_VALIDATION'),
    );
  });
});

describe('witness keys', () => {
  it('use signature type 0x04 in the key text and the key id', () => {
    const publicKey = ed.publicKey(witness.seed);
    const text = formatWitnessVerifierKey(witness.name, publicKey, sha);
    const [name, id, encoded] = text.split('+') as [string, string, string];
    assert.equal(name, witness.name);
    assert.equal(id, toHex(computeKeyId(sha, witness.name, 0x04, publicKey)));
    assert.equal(decodeBase64(encoded)?.[0], COSIGNATURE_TYPE);
    const key = parseWitnessVerifierKey(text, sha);
    assert.deepEqual(key.publicKey, publicKey);
    assert.equal(key.type, 0x04);
  });

  it('parse a published witness key and check its id', () => {
    const key = parseWitnessVerifierKey(REMORA_VKEY, sha);
    assert.equal(key.name, 'remora.n621.de');
    assert.equal(toHex(key.keyId), 'da77ade7');
    assert.throws(() => parseWitnessVerifierKey(REMORA_VKEY.replace('da77ade7', 'da77ade8'), sha), /key id/);
    // A plain Ed25519 (0x01) key text is not a witness key text.
    assert.throws(() => parseWitnessVerifierKey(ARCHE_LOG_VKEY, sha), /signature type is 0x01, not 0x04/);
    assert.throws(() => parseVerifierKey(REMORA_VKEY, sha), /signature type is 0x04, not 0x01/);
  });

  it('round-trip a witness private key', () => {
    const publicKey = ed.publicKey(witness.seed);
    const text = formatWitnessPrivateKey(witness.name, witness.seed, publicKey, sha);
    assert.ok(text.startsWith(`PRIVATE+KEY+${witness.name}+`));
    const key = parseWitnessPrivateKey(text, ed, sha);
    assert.deepEqual([key.seed, key.publicKey, key.type], [witness.seed, publicKey, 0x04]);
    assert.deepEqual(key.keyId, witnessKey().keyId);
    assert.throws(() => parsePrivateKey(text, ed, sha), errorCode('E_VALIDATION'));
  });
});

describe('verifyCosignature', () => {
  it('verifies a cosignature and returns its time', () => {
    const line = cosign(SOFA, witness, 1700000000, ed, sha);
    assert.deepEqual(verifyCosignature(SOFA, line, witnessKey(), ed), { ok: true, timeSeconds: 1700000000 });
    assert.deepEqual(verifyCosignature(SOFA, parseSignatureLine(line), witnessKey(), ed), {
      ok: true,
      timeSeconds: 1700000000,
    });
  });

  it('verifies a published cosignature of a real checkpoint by a public witness', () => {
    const note = parseNote(ARCHE_NOTE);
    assert.equal(note.body, ARCHE_BODY);
    const remora = parseWitnessVerifierKey(REMORA_VKEY, sha);
    const line = note.signatures.find((s) => s.name === 'remora.n621.de');
    assert.ok(line);
    const check = verifyCosignature(ARCHE_BODY, line, remora, ed);
    assert.deepEqual(check, { ok: true, timeSeconds: 0x6a122120 });
    const changed = ARCHE_BODY.replace('1432088532', '1432088533');
    assert.deepEqual(verifyCosignature(changed, line, remora, ed), {
      ok: false,
      timeSeconds: 0x6a122120,
      reason: 'bad-signature',
    });
  });

  it('verifies the log signature and the cosignature of that checkpoint in one verifyNote', () => {
    const verifiers = [
      ed25519Verifier(parseVerifierKey(ARCHE_LOG_VKEY, sha), ed),
      cosignatureVerifier(parseWitnessVerifierKey(REMORA_VKEY, sha), ed),
    ];
    const result = verifyNote(ARCHE_NOTE, verifiers);
    assert.deepEqual(
      result.verified.map((s) => `${s.name}+${toHex(s.keyId)}`),
      ['arche2025h1.staging.ct.transparency.dev+ba2f06c0', 'remora.n621.de+da77ade7'],
    );
    // The log's RFC 6962 signature (type 0x05, same name, other id) and the other witnesses are
    // not known here: unverified, not refused.
    assert.equal(result.unverified.length, 4);
  });

  it('says other-key for a line by another name or key id', () => {
    const line = cosign(SOFA, witness, 5, ed, sha);
    const other = { ...witness, name: 'witness.truceline.example/party-a' };
    const otherKey = parseWitnessVerifierKey(
      formatWitnessVerifierKey(other.name, ed.publicKey(witness.seed), sha),
      sha,
    );
    assert.deepEqual(verifyCosignature(SOFA, line, otherKey, ed), {
      ok: false,
      timeSeconds: 5,
      reason: 'other-key',
    });
    const anotherSeed = { ...witness, seed: new Uint8Array(32).fill(9) };
    const anotherKey = parseWitnessVerifierKey(
      formatWitnessVerifierKey(witness.name, ed.publicKey(anotherSeed.seed), sha),
      sha,
    );
    assert.equal(verifyCosignature(SOFA, line, anotherKey, ed).ok, false);
  });

  it('says bad-signature for a changed body, extension line or time, and malformed for a plain signature', () => {
    const body = formatCheckpoint({
      origin: 'truceline.example/ledger',
      size: 3,
      rootHash: new Uint8Array(32).fill(1),
      extensions: ['ext'],
    });
    const line = cosign(body, witness, 42, ed, sha);
    assert.equal(verifyCosignature(body, line, witnessKey(), ed).ok, true);
    assert.deepEqual(verifyCosignature(body.replace('ext', 'exu'), line, witnessKey(), ed), {
      ok: false,
      timeSeconds: 42,
      reason: 'bad-signature',
    });
    const signature = parseSignatureLine(line);
    const payload = signature.payload.slice();
    payload[7] = 43;
    assert.deepEqual(verifyCosignature(body, { ...signature, payload }, witnessKey(), ed), {
      ok: false,
      timeSeconds: 43,
      reason: 'bad-signature',
    });
    const plain = { ...signature, payload: signature.payload.slice(8) };
    assert.deepEqual(verifyCosignature(body, plain, witnessKey(), ed), {
      ok: false,
      timeSeconds: undefined,
      reason: 'malformed',
    });
    assert.deepEqual(verifyCosignature('not a checkpoint\n', line, witnessKey(), ed), {
      ok: false,
      timeSeconds: 42,
      reason: 'malformed',
    });
  });

  it('refuses a key that is not a cosignature key', () => {
    const plain = parseVerifierKey(formatVerifierKey(witness.name, ed.publicKey(witness.seed), sha), sha);
    const line = cosign(SOFA, witness, 1, ed, sha);
    assert.throws(() => verifyCosignature(SOFA, line, plain, ed), errorCode('E_VALIDATION'));
    assert.throws(() => cosignatureVerifier(plain, ed), errorCode('E_VALIDATION'));
  });
});

describe('a co-signed checkpoint end to end', () => {
  it('is signed by the log, co-signed by witnesses, and needs each to verify', () => {
    const logSeed = new Uint8Array(32).fill(1);
    const logName = 'truceline.example/ledger';
    const logKey = parsePrivateKey(
      `PRIVATE+KEY+${logName}+${toHex(computeKeyId(sha, logName, 1, ed.publicKey(logSeed)))}+${Buffer.from([1, ...logSeed]).toString('base64')}`,
      ed,
      sha,
    );
    const partyA: Witness = { name: 'witness.truceline.example/party-a', seed: new Uint8Array(32).fill(2) };
    const partyB: Witness = { name: 'witness.truceline.example/party-b', seed: new Uint8Array(32).fill(3) };
    const body = formatCheckpoint({ origin: logName, size: 10, rootHash: sha(utf8('root')) });
    const lines = [
      signNote(body, ed25519Signer(logKey, ed)),
      cosign(body, partyA, 1_750_000_000, ed, sha),
      signNote(body, cosignatureSigner(partyB, 1_750_000_001, ed, sha)),
    ];
    const note = formatNote(body, lines);
    const keyOf = (w: Witness) =>
      parseWitnessVerifierKey(formatWitnessVerifierKey(w.name, ed.publicKey(w.seed), sha), sha);
    const verifiers = [
      ed25519Verifier(logKey, ed),
      cosignatureVerifier(keyOf(partyA), ed),
      cosignatureVerifier(keyOf(partyB), ed),
    ];
    const result = verifyNote(note, verifiers);
    assert.equal(result.verified.length, 3);
    assert.equal(cosignatureTime(result.verified[2] ?? { payload: new Uint8Array() }), 1_750_000_001);
    // The same key signing plainly and as a witness gives different key ids: no confusion.
    assert.notDeepEqual(
      computeKeyId(sha, partyA.name, 0x01, ed.publicKey(partyA.seed)),
      computeKeyId(sha, partyA.name, 0x04, ed.publicKey(partyA.seed)),
    );
    const forged = note.replace('\n10\n', '\n11\n');
    assert.throws(() => verifyNote(forged, verifiers), errorCode('E_LEDGER_VERIFY'));
  });
});

import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { isTrucelineError } from '../errors.ts';
import { toHex, type Sha256 } from './hash.ts';
import {
  computeKeyId,
  type Ed25519,
  ed25519Signer,
  ed25519Verifier,
  formatNote,
  formatPrivateKey,
  formatSignatureLine,
  formatVerifierKey,
  isValidKeyName,
  type NoteVerifier,
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
const ed: Ed25519 = {
  sign: (seed, message) => new Uint8Array(sign(null, message, privateKeyObject(seed))),
  verify: (publicKey, message, signature) => {
    try {
      const key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, publicKey]),
        format: 'der',
        type: 'spki',
      });
      return verify(null, message, key, signature);
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

// golang.org/x/mod, sumdb/note/note.go (package documentation) and note_test.go.
const PETER_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH_VKEY = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=';
const SIGNED = `${TEXT}\n${PETER_SIG}\n`;

// The example of c2sp.org/signed-note (the "Verifier keys" section of later revisions).
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';

const peter = (): NoteVerifier => ed25519Verifier(parseVerifierKey(PETER_VKEY, sha), ed);
const enoch = (): NoteVerifier => ed25519Verifier(parseVerifierKey(ENOCH_VKEY, sha), ed);

describe('keys', () => {
  it('parse the published verifier key and write it back byte for byte', () => {
    const key = parseVerifierKey(PETER_VKEY, sha);
    assert.equal(key.name, 'PeterNeumann');
    assert.equal(toHex(key.keyId), 'c74f20a3');
    assert.equal(key.type, 0x01);
    assert.equal(key.publicKey.length, 32);
    assert.equal(formatVerifierKey(key.name, key.publicKey, sha), PETER_VKEY);
    assert.equal(toHex(computeKeyId(sha, key.name, 0x01, key.publicKey)), 'c74f20a3');
    const spec = parseVerifierKey(SPEC_VKEY, sha);
    assert.equal(toHex(spec.publicKey), 'e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4');
    assert.equal(formatVerifierKey(spec.name, spec.publicKey, sha), SPEC_VKEY);
  });

  it('parse the published private key, derive its public key and write it back byte for byte', () => {
    const key = parsePrivateKey(PETER_SKEY, ed, sha);
    assert.equal(key.name, 'PeterNeumann');
    assert.equal(toHex(key.keyId), 'c74f20a3');
    assert.deepEqual(key.publicKey, parseVerifierKey(PETER_VKEY, sha).publicKey);
    assert.equal(formatPrivateKey(key.name, key.seed, key.publicKey, sha), PETER_SKEY);
  });

  it('refuse every substring and every one-character change of the published verifier key', () => {
    for (let i = 0; i <= PETER_VKEY.length; i++)
      for (let j = i + 1; j <= PETER_VKEY.length; j++)
        if (i !== 0 || j !== PETER_VKEY.length)
          assert.throws(() => parseVerifierKey(PETER_VKEY.slice(i, j), sha), errorCode('E_VALIDATION'));
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const changed =
        PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      assert.throws(() => parseVerifierKey(changed, sha), errorCode('E_VALIDATION'), changed);
    }
    // From note_test.go: a key of the wrong length and an unknown algorithm, each with its id adjusted.
    assert.throws(
      () =>
        parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==', sha),
      errorCode('E_VALIDATION'),
    );
    assert.throws(
      () => parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', sha),
      errorCode('E_VALIDATION'),
    );
  });

  it('refuse every substring and every one-character change of the published private key, without echoing it', () => {
    const refuse = (text: string) =>
      assert.throws(
        () => parsePrivateKey(text, ed, sha),
        (error: unknown) =>
          errorCode('E_VALIDATION')(error) && !(error as Error).message.includes('AYEKFALVFGyNhPJEMzD1QIDr'),
        text,
      );
    for (let i = 0; i <= PETER_SKEY.length; i++)
      for (let j = i + 1; j <= PETER_SKEY.length; j++)
        if (i !== 0 || j !== PETER_SKEY.length) refuse(PETER_SKEY.slice(i, j));
    for (let i = 0; i < PETER_SKEY.length; i++)
      refuse(
        PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1),
      );
  });

  it('refuse a key of another signature type than the one asked for', () => {
    const key = parseVerifierKey(PETER_VKEY, sha);
    const asType4 = formatVerifierKey(key.name, key.publicKey, sha, 0x04);
    assert.ok(asType4.startsWith('PeterNeumann+') && asType4.split('+')[2]?.startsWith('B'));
    assert.throws(() => parseVerifierKey(asType4, sha), /signature type is 0x04, not 0x01/);
    assert.equal(parseVerifierKey(asType4, sha, 0x04).type, 0x04);
  });

  it('check key names: non-empty, no Unicode white space, no plus', () => {
    for (const name of ['example.com/log', 'PeterNeumann', 'ünïcödé/ключ', 'a-b_c.d:e'])
      assert.ok(isValidKeyName(name), name);
    for (const name of [
      '',
      'a b',
      'a+b',
      'a\tb',
      'a\nb',
      'a\u00a0b',
      'a\u2003b',
      'a\u3000b',
      'a\u0085b',
      'a\ud800',
    ])
      assert.equal(isValidKeyName(name), false, JSON.stringify(name));
    const key = parseVerifierKey(PETER_VKEY, sha);
    assert.throws(() => formatVerifierKey('bad name', key.publicKey, sha), errorCode('E_VALIDATION'));
    assert.throws(() => formatVerifierKey('ok', key.publicKey.slice(1), sha), errorCode('E_VALIDATION'));
  });
});

describe('signNote and formatNote', () => {
  it('reproduce the published signed note byte for byte', () => {
    const signer = ed25519Signer(parsePrivateKey(PETER_SKEY, ed, sha), ed);
    const line = signNote(TEXT, signer);
    assert.equal(line, PETER_SIG);
    assert.equal(formatNote(TEXT, [line]), SIGNED);
  });

  it('refuse a body that is empty, lacks its final newline or has control characters', () => {
    const signer = ed25519Signer(parsePrivateKey(PETER_SKEY, ed, sha), ed);
    for (const body of ['', 'abc', 'a\rb\n', 'tab\there\n', 'lone \ud800 surrogate\n'])
      assert.throws(() => signNote(body, signer), errorCode('E_VALIDATION'), JSON.stringify(body));
    assert.throws(() => signNote(TEXT, { ...signer, name: 'bad name' }), errorCode('E_VALIDATION'));
    assert.throws(() => formatNote('abc', [PETER_SIG]), errorCode('E_VALIDATION'));
    assert.throws(() => formatNote(TEXT, []), errorCode('E_VALIDATION'));
    assert.throws(() => formatNote(TEXT, ['- PeterNeumann AAAAAAA=']), errorCode('E_VALIDATION'));
  });

  it('keep a body that has blank lines of its own', () => {
    const signer = ed25519Signer(parsePrivateKey(PETER_SKEY, ed, sha), ed);
    const body = 'first\n\nthird\n\n';
    const note = formatNote(body, [signNote(body, signer)]);
    assert.equal(parseNote(note).body, body);
    assert.equal(verifyNote(note, [peter()]).body, body);
  });
});

describe('parseNote', () => {
  it('takes the published note apart', () => {
    const note = parseNote(`${TEXT}\n${PETER_SIG}\n${ENOCH_SIG}\n`);
    assert.equal(note.body, TEXT);
    assert.deepEqual(
      note.signatures.map((s) => [s.name, toHex(s.keyId), s.payload.length]),
      [
        ['PeterNeumann', 'c74f20a3', 64],
        ['EnochRoot', 'af0cfe78', 64],
      ],
    );
  });

  it('refuses the malformed notes of note_test.go, and more', () => {
    const bad = [
      TEXT,
      `${TEXT}\n`,
      `${TEXT}\n${PETER_SIG}`,
      `\u0001${TEXT}\n${PETER_SIG}\n`,
      `\ud800${TEXT}\n${PETER_SIG}\n`,
      `${TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${TEXT}\n${PETER_SIG}\nUnexpected line.\n`,
      `${TEXT}\n${PETER_SIG.replace('—', '-')}\n`,
      `${TEXT}\n${PETER_SIG.replace('— ', '—')}\n`,
      `${TEXT}\n${PETER_SIG.replace(' x08go', '  x08go')}\n`,
      `${TEXT}\n${PETER_SIG.replace('AM=', 'AM')}\n`,
      `${TEXT}\n${PETER_SIG}\r\n`,
      `${TEXT}\n— PeterNeumann x08goA==\n`,
      `${TEXT}\n— PeterNeumann+x x08go/ZJ\n`,
      `${TEXT}\n${PETER_SIG}\n\n`,
    ];
    for (const text of bad)
      assert.throws(() => parseNote(text), errorCode('E_VALIDATION'), JSON.stringify(text));
  });

  it('accepts 100 signatures and refuses 101', () => {
    assert.equal(parseNote(`${TEXT}\n${`${PETER_SIG}\n`.repeat(100)}`).signatures.length, 100);
    assert.throws(() => parseNote(`${TEXT}\n${`${PETER_SIG}\n`.repeat(101)}`), errorCode('E_VALIDATION'));
  });

  it('round-trips signature lines', () => {
    const signature = parseSignatureLine(PETER_SIG);
    assert.equal(formatSignatureLine(signature), PETER_SIG);
  });
});

describe('verifyNote', () => {
  it('verifies the published note, and the example of the specification', () => {
    const note = verifyNote(SIGNED, [peter()]);
    assert.equal(note.body, TEXT);
    assert.deepEqual(
      note.verified.map((s) => s.name),
      ['PeterNeumann'],
    );
    const spec = verifyNote(SPEC_NOTE, [ed25519Verifier(parseVerifierKey(SPEC_VKEY, sha), ed)]);
    assert.equal(spec.body, 'This is an example message.\n');
  });

  it('leaves the signatures of unknown keys unverified', () => {
    const both = `${TEXT}\n${PETER_SIG}\n${ENOCH_SIG}\n`;
    const one = verifyNote(both, [peter()]);
    assert.deepEqual(
      [one.verified.map((s) => s.name), one.unverified.map((s) => s.name)],
      [['PeterNeumann'], ['EnochRoot']],
    );
    const two = verifyNote(both, [peter(), enoch()]);
    assert.deepEqual(
      [two.verified.map((s) => s.name), two.unverified.map((s) => s.name)],
      [['PeterNeumann', 'EnochRoot'], []],
    );
  });

  it('refuses a note no known key signed', () => {
    assert.throws(
      () => verifyNote(`${TEXT}\n${PETER_SIG}\n${ENOCH_SIG}\n`, []),
      errorCode('E_LEDGER_VERIFY'),
    );
    assert.throws(() => verifyNote(`${TEXT}\n${ENOCH_SIG}\n`, [peter()]), errorCode('E_LEDGER_VERIFY'));
  });

  it('refuses a note whose known key signature does not verify, or whose text changed', () => {
    const tampered = `${TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}\n`;
    assert.throws(() => verifyNote(tampered, [peter()]), errorCode('E_LEDGER_VERIFY'));
    assert.throws(
      () => verifyNote(SIGNED.replace('cryptography', 'Cryptography'), [peter()]),
      errorCode('E_LEDGER_VERIFY'),
    );
  });

  it('ignores a signature by the same name under another key id, and the reverse', () => {
    const otherId = PETER_SIG.replace('x08go', 'xxxxo');
    assert.throws(() => verifyNote(`${TEXT}\n${otherId}\n`, [peter()]), errorCode('E_LEDGER_VERIFY'));
    const note = verifyNote(`${TEXT}\n${otherId}\n${PETER_SIG}\n`, [peter()]);
    assert.equal(note.unverified.length, 1);
    const otherName = PETER_SIG.replace('PeterNeumann', 'CarmenSandiego');
    assert.equal(
      verifyNote(`${TEXT}\n${otherName}\n${PETER_SIG}\n`, [peter()]).unverified[0]?.name,
      'CarmenSandiego',
    );
  });

  it('checks a repeated signature of a known key once, and lists a repeated unknown line once', () => {
    const enochBad = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const note = verifyNote(
      `${TEXT}\n${PETER_SIG}\n${PETER_SIG}\n${ENOCH_SIG}\n${ENOCH_SIG}\n${enochBad}\n`,
      [peter()],
    );
    assert.equal(note.verified.length, 1);
    assert.deepEqual(
      note.unverified.map((s) => formatSignatureLine(s)),
      [ENOCH_SIG, enochBad],
    );
  });

  it('refuses two verifiers with the same name and key id', () => {
    assert.throws(() => verifyNote(SIGNED, [peter(), enoch(), enoch()]), errorCode('E_VALIDATION'));
  });

  it('verifies a parsed note as well as a text', () => {
    assert.equal(verifyNote(parseNote(SIGNED), [peter()]).verified.length, 1);
  });
});

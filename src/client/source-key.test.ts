import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  generateSourceKey,
  parseSourceKeyFile,
  readSourceKeyFile,
  SourceKeyFileError,
  sourceKeyId,
  writeSourceKeyFile,
} from './source-key.ts';

// RFC 9421 Appendix B.1.4: test-key-ed25519.
const RFC_PRIVATE_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`;
const RFC_PUBLIC_SPKI = 'MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=';
// ed25519- and the first 16 hex digits of SHA-256 over the SPKI DER above (`base64 -d | sha256sum`).
const RFC_KEY_ID = 'ed25519-34571606cb7a0d71';

const scratch = mkdtempSync(join(tmpdir(), 'truceline-source-key-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const refuses = (text: string, message: RegExp) =>
  assert.throws(
    () => parseSourceKeyFile(text),
    (error: unknown) => error instanceof SourceKeyFileError && message.test(error.message),
  );

describe('generateSourceKey', () => {
  it('gives a PKCS#8 private key, its SPKI public key and the key id derived from it', () => {
    const key = generateSourceKey();
    assert.match(key.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(key.keyId, /^ed25519-[0-9a-f]{16}$/);
    assert.equal(key.keyId, sourceKeyId(key.publicKeySpkiB64));
    const publicKey = createPublicKey({
      key: Buffer.from(key.publicKeySpkiB64, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const data = Buffer.from('batch');
    assert.ok(verify(null, data, publicKey, sign(null, data, key.privateKeyPem)));
  });

  it('gives a new key each time', () => {
    assert.notEqual(generateSourceKey().keyId, generateSourceKey().keyId);
  });
});

describe('sourceKeyId', () => {
  it('is the same from base64 and from DER bytes', () => {
    assert.equal(sourceKeyId(RFC_PUBLIC_SPKI), RFC_KEY_ID);
    assert.equal(sourceKeyId(Buffer.from(RFC_PUBLIC_SPKI, 'base64')), RFC_KEY_ID);
  });
});

describe('key files', () => {
  it('round-trip, with mode 0600, source id and key id', async () => {
    const key = generateSourceKey();
    const path = join(scratch, 'round-trip.key');
    await writeSourceKeyFile(path, { sourceId: 'gw-7', keyId: key.keyId, privateKeyPem: key.privateKeyPem });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(
      await readFile(path, 'utf8'),
      /^# source: gw-7\n# key-id: ed25519-[0-9a-f]{16}\n-----BEGIN PRIVATE KEY-----\n/,
    );
    const file = await readSourceKeyFile(path);
    assert.equal(file.sourceId, 'gw-7');
    assert.equal(file.keyId, key.keyId);
    assert.equal(file.publicKeySpkiB64, key.publicKeySpkiB64);
  });

  it('are not replaced unless asked, and a replaced file is 0600 too', async () => {
    const path = join(scratch, 'existing.key');
    writeFileSync(path, 'old', { mode: 0o644 });
    const key = generateSourceKey();
    const contents = { sourceId: 'gw-7', keyId: key.keyId, privateKeyPem: key.privateKeyPem };
    await assert.rejects(writeSourceKeyFile(path, contents), { code: 'EEXIST' });
    await writeSourceKeyFile(path, contents, { overwrite: true });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal((await readSourceKeyFile(path)).keyId, key.keyId);
  });

  it('refuse ids with spaces or line breaks', async () => {
    const key = generateSourceKey();
    await assert.rejects(
      writeSourceKeyFile(join(scratch, 'bad.key'), {
        sourceId: 'gw 7',
        keyId: key.keyId,
        privateKeyPem: key.privateKeyPem,
      }),
      SourceKeyFileError,
    );
  });

  it('may be a bare PEM key: the key id is then derived and the source unknown', () => {
    const file = parseSourceKeyFile(RFC_PRIVATE_PEM);
    assert.equal(file.keyId, RFC_KEY_ID);
    assert.equal(file.sourceId, undefined);
    assert.equal(file.publicKeySpkiB64, RFC_PUBLIC_SPKI);
  });

  it('may hold other comments, blank lines and CRLF line ends', () => {
    const text = `# written by the gateway installer\r\n\r\n#source:gw-9\r\n${RFC_PRIVATE_PEM.replace(/\n/g, '\r\n')}`;
    assert.equal(parseSourceKeyFile(text).sourceId, 'gw-9');
  });

  it('keep a key id of another form as the registry gave it', () => {
    assert.equal(
      parseSourceKeyFile(`# key-id: test-key-ed25519\n${RFC_PRIVATE_PEM}`).keyId,
      'test-key-ed25519',
    );
  });

  it('refuse a derived-form key id that belongs to another key', () => {
    refuses(
      `# key-id: ed25519-0000000000000000\n${RFC_PRIVATE_PEM}`,
      /does not match the key in the file, whose id is ed25519-/,
    );
  });

  it('refuse text before the key that is not a comment', () => {
    refuses(`source: gw-7\n${RFC_PRIVATE_PEM}`, /line 1 is neither a "#" comment nor the start of a PEM key/);
  });

  it('refuse a file without a key, an encrypted key, another PEM type, a broken key', () => {
    refuses('# source: gw-7\n', /no PEM private key/);
    refuses(
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n',
      /encrypted/,
    );
    refuses(
      '-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n',
      /expected -----BEGIN PRIVATE KEY-----/,
    );
    refuses('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /cannot be read/);
  });

  it('refuse a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    });
    refuses(rsa.toString(), /the key is rsa, not Ed25519/);
  });
});

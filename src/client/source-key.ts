/**
 * @module A source's Ed25519 signing key: generation, its key id, and the key file a sensor gateway
 * keeps. Needs nothing of Truceline but node:crypto and node:fs, so a gateway can copy the folder.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';

/**
 * A freshly generated key pair, in the forms it is stored and registered in.
 *
 * @example
 * const { keyId, privateKeyPem, publicKeySpkiB64 }: SourceKeyMaterial = generateSourceKey();
 */
export interface SourceKeyMaterial {
  /** `ed25519-` and the first 16 hex digits of the SHA-256 of the SPKI DER public key. */
  readonly keyId: string;
  /** PKCS#8 PEM: what goes in the key file, and nowhere else. */
  readonly privateKeyPem: string;
  /** SPKI DER, base64: what is registered with the source. */
  readonly publicKeySpkiB64: string;
}

/**
 * A key file, read and checked.
 *
 * @example
 * const { sourceId, keyId, privateKey }: SourceKeyFile = await readSourceKeyFile('gw-7.key');
 */
export interface SourceKeyFile {
  /** From `# source: ID`, if the file has it. */
  readonly sourceId: string | undefined;
  /** From `# key-id: KEYID`, else derived from the key. */
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKeySpkiB64: string;
}

/**
 * A key file that cannot be used, with the reason.
 *
 * @example
 * try { await readSourceKeyFile(path); } catch (e) { if (e instanceof SourceKeyFileError) console.error(e.message); }
 */
export class SourceKeyFileError extends Error {
  override readonly name = 'SourceKeyFileError';
}

const KEY_ID_PATTERN = /^ed25519-[0-9a-f]{16}$/;

/**
 * Generates an Ed25519 key pair for a source.
 *
 * @example
 * const key = generateSourceKey();
 * // register key.publicKeySpkiB64 under key.keyId with the source, then:
 * await writeSourceKeyFile('gateway-7.key', { sourceId: 'gw-7', keyId: key.keyId, privateKeyPem: key.privateKeyPem });
 */
export function generateSourceKey(): SourceKeyMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    keyId: sourceKeyId(spki),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeySpkiB64: spki.toString('base64'),
  };
}

/**
 * The key id of a public key: stable, derived from the key alone, so a server and a gateway agree
 * on it without being told.
 *
 * @example
 * sourceKeyId('MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=') // 'ed25519-' + 16 hex digits
 */
export function sourceKeyId(publicKeySpki: string | Uint8Array): string {
  const der = typeof publicKeySpki === 'string' ? Buffer.from(publicKeySpki, 'base64') : publicKeySpki;
  return `ed25519-${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/**
 * Parses the text of a key file: optional `# source: ID` and `# key-id: KEYID` comment lines (other
 * `#` lines are ignored), then a PKCS#8 PEM Ed25519 private key. Without `# key-id:` the id is
 * derived from the key; a `# key-id:` of the derived form that names another key is refused, as it
 * means the file was assembled from two keys.
 *
 * @example
 * parseSourceKeyFile('# source: gw-7\n# key-id: ed25519-0123456789abcdef\n-----BEGIN PRIVATE KEY-----\n…')
 * @throws SourceKeyFileError with the reason.
 */
export function parseSourceKeyFile(text: string): SourceKeyFile {
  let sourceId: string | undefined;
  let keyId: string | undefined;
  const lines = text.split(/\r?\n/);
  let pemStart = -1;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line.startsWith('-----BEGIN ')) {
      pemStart = index;
      break;
    }
    if (line === '') continue;
    if (!line.startsWith('#'))
      throw new SourceKeyFileError(`line ${index + 1} is neither a "#" comment nor the start of a PEM key`);
    const comment = /^#\s*(source|key-id)\s*:\s*(\S+)\s*$/.exec(line);
    if (comment?.[1] === 'source') sourceId = comment[2];
    if (comment?.[1] === 'key-id') keyId = comment[2];
  }
  if (pemStart === -1) throw new SourceKeyFileError('no PEM private key (-----BEGIN PRIVATE KEY-----)');
  const pem = lines.slice(pemStart).join('\n');
  if (pem.startsWith('-----BEGIN ENCRYPTED PRIVATE KEY-----'))
    throw new SourceKeyFileError(
      'the private key is encrypted; a source key file holds an unencrypted PKCS#8 key',
    );
  if (!pem.startsWith('-----BEGIN PRIVATE KEY-----'))
    throw new SourceKeyFileError(
      `expected -----BEGIN PRIVATE KEY----- (PKCS#8), found ${pem.split('\n')[0] ?? ''}`,
    );
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new SourceKeyFileError(
      `the PEM key cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new SourceKeyFileError(
      `the key is ${privateKey.asymmetricKeyType ?? 'of no known type'}, not Ed25519`,
    );
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const derived = sourceKeyId(spki);
  if (keyId !== undefined && KEY_ID_PATTERN.test(keyId) && keyId !== derived)
    throw new SourceKeyFileError(
      `# key-id: ${keyId} does not match the key in the file, whose id is ${derived}`,
    );
  return { sourceId, keyId: keyId ?? derived, privateKey, publicKeySpkiB64: spki.toString('base64') };
}

/**
 * Reads and checks a key file (see {@link parseSourceKeyFile}).
 *
 * @example
 * const { keyId, privateKey, sourceId } = await readSourceKeyFile('/etc/truceline/gateway-7.key');
 * @throws SourceKeyFileError if the file is not a usable key file; the fs error if it cannot be read.
 */
export async function readSourceKeyFile(path: string): Promise<SourceKeyFile> {
  return parseSourceKeyFile(await readFile(path, 'utf8'));
}

/**
 * Writes a key file readable by its owner only (mode 0600). An existing file is not replaced unless
 * `overwrite` is set, since replacing a registered key locks the source out.
 *
 * @example
 * await writeSourceKeyFile('gateway-7.key', { sourceId: 'gw-7', keyId: key.keyId, privateKeyPem: key.privateKeyPem });
 * @throws SourceKeyFileError if an id holds a line break; the fs error (EEXIST…) if it cannot be written.
 */
export async function writeSourceKeyFile(
  path: string,
  key: { readonly sourceId: string; readonly keyId: string; readonly privateKeyPem: string },
  options: { readonly overwrite?: boolean } = {},
): Promise<void> {
  for (const [name, value] of [
    ['source id', key.sourceId],
    ['key id', key.keyId],
  ] as const)
    if (!/^\S+$/.test(value)) throw new SourceKeyFileError(`the ${name} must be non-empty, without spaces`);
  const pem = key.privateKeyPem.endsWith('\n') ? key.privateKeyPem : `${key.privateKeyPem}\n`;
  const text = `# source: ${key.sourceId}\n# key-id: ${key.keyId}\n${pem}`;
  // `mode` applies only when the file is created: narrow a file being replaced before the key is in it.
  if (options.overwrite === true)
    await chmod(path, 0o600).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  await writeFile(path, text, { mode: 0o600, flag: options.overwrite === true ? 'w' : 'wx' });
}

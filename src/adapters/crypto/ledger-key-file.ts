/**
 * @module The ledger's signing key in its own file, never in the database: a signed-note private key
 * text (`PRIVATE+KEY+<name>+<id>+<key>`), created with mode 0600 on first use. Whoever can read the
 * database cannot sign checkpoints with it; whoever holds the file can, so it is kept apart.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { TrucelineError } from '../../core/errors.ts';
import { fromHex, toHex } from '../../core/ledger/hash.ts';
import type { SignedTree, SignedTrees } from '../../core/ports/signed-trees.ts';
import { formatPrivateKey, parsePrivateKey, type PrivateKey } from '../../core/ledger/signed-note.ts';
import { sha256 } from '../common/ledger-leaves.ts';
import { nodeEd25519 } from './ed25519.ts';

/** The key file beside a SQLite database: `<database file>.ledger-key`. */
export const defaultLedgerKeyPath = (databaseFile: string): string => `${databaseFile}.ledger-key`;

/** A new log's key name, which is also its checkpoints' origin line: unique to this log. */
export const newLogName = (): string => `truceline.ledger/${toHex(randomBytes(8))}`;

/** Reads the private key in `path`; `E_LEDGER_KEY` naming the file when it is missing or malformed. */
export function readLedgerKey(path: string): PrivateKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TrucelineError('E_LEDGER_KEY', `cannot read the ledger key file ${path}`, { cause: error });
  }
  try {
    return parsePrivateKey(text.trim(), nodeEd25519, sha256);
  } catch (error) {
    throw new TrucelineError(
      'E_LEDGER_KEY',
      `the ledger key file ${path} does not hold a signed-note private key`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The private key in `path`, created there (mode 0600, never overwriting: exclusive create) when the
 * file does not exist. Refuses a key file others may read.
 */
export function ledgerKey(path: string, name: () => string = newLogName): PrivateKey {
  let exists = true;
  try {
    statSync(path);
  } catch {
    exists = false;
  }
  if (!exists) {
    const seed = randomBytes(32);
    const text = formatPrivateKey(name(), seed, nodeEd25519.publicKey(seed), sha256);
    try {
      writeFileSync(path, `${text}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as { code?: unknown }).code !== 'EEXIST')
        throw new TrucelineError('E_LEDGER_KEY', `cannot create the ledger key file ${path}`, {
          cause: error,
        });
    }
  }
  const mode = statSync(path).mode & 0o077;
  if (mode !== 0)
    throw new TrucelineError(
      'E_LEDGER_KEY',
      `the ledger key file ${path} may be read by others (mode ${(statSync(path).mode & 0o777).toString(8)}); run chmod 600 on it`,
    );
  return readLedgerKey(path);
}

/** The record of the largest tree a key signed: `<key file>.signed`, beside the key. */
export const signedTreesPathOf = (keyPath: string): string => `${keyPath}.signed`;

/**
 * The record, in `<key file>.signed` (mode 0600, one line: size and root hash in hex), of the largest
 * tree the key in `keyPath` signed. Read on every use, so a server and a CLI signing with one key
 * see each other's trees; replaced whole (written beside it, then renamed), never left half-written.
 */
export function signedTreesFile(keyPath: string, path: string = signedTreesPathOf(keyPath)): SignedTrees {
  const last = (): SignedTree | undefined => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw new TrucelineError('E_LEDGER_KEY', `cannot read ${path}`, { cause: error });
    }
    const [size, root] = text.trim().split(' ');
    const rootHash = fromHex(root ?? '');
    if (!/^\d+$/.test(size ?? '') || rootHash?.length !== 32)
      throw new TrucelineError(
        'E_LEDGER_KEY',
        `${path} does not hold a tree size and a root hash (it records the largest tree the ledger key signed)`,
      );
    return { size: Number(size), rootHash };
  };
  return {
    last,
    location: path,
    record(tree: SignedTree): void {
      if ((last()?.size ?? -1) >= tree.size) return;
      const partial = `${path}.${process.pid}.partial`;
      try {
        writeFileSync(partial, `${tree.size} ${toHex(tree.rootHash)}\n`, { mode: 0o600 });
        renameSync(partial, path);
      } catch (error) {
        rmSync(partial, { force: true });
        // A key mounted read-only (a secret volume) cannot have its record beside it.
        throw new TrucelineError(
          'E_LEDGER_KEY',
          `cannot write ${path}, the record of the largest tree the ledger key signed: give --ledger-signed FILE on a volume this process can write (and keep it: without it, the key would sign a rewritten ledger)`,
          { cause: error },
        );
      }
    },
  };
}

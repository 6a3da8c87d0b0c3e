/**
 * @module `truceline witness keygen` and `truceline witness --follow URL`: an independent witness of the
 * ledger, as a party or a Commission member runs it. It keeps the last checkpoint it co-signed, asks
 * the log for a consistency proof to each new one, verifies it, and only then co-signs (C2SP
 * tlog-cosignature). A log that shows it a tree which does not extend the one it signed (a split view)
 * gets no signature, and the witness says so and exits 1.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseCheckpoint } from '../../core/ledger/checkpoint.ts';
import {
  cosign,
  formatWitnessPrivateKey,
  formatWitnessVerifierKey,
  parseWitnessPrivateKey,
} from '../../core/ledger/cosignature.ts';
import { decodeBase64, encodeBase64 } from '../../core/ledger/base64.ts';
import { checkExtension } from '../../core/ledger/checkpoint-extension.ts';
import { ed25519Verifier, parseVerifierKey, verifyNote } from '../../core/ledger/signed-note.ts';
import { TrucelineError, isTrucelineError } from '../../core/errors.ts';
import type { CliRuntime } from '../cli-runtime.ts';
import { describeError } from '../describe-error.ts';

export async function witnessKeygen(
  runtime: CliRuntime,
  options: { readonly name: string; readonly out: string },
): Promise<number> {
  const { ed, sha } = runtime.ledgerCrypto;
  try {
    const seed = randomBytes(32);
    const publicKey = ed.publicKey(seed);
    const privateText = formatWitnessPrivateKey(options.name, seed, publicKey, sha);
    writeFileSync(options.out, `${privateText}\n`, { mode: 0o600, flag: 'wx' });
    runtime.stdout(`${formatWitnessVerifierKey(options.name, publicKey, sha)}\n`);
    return 0;
  } catch (error) {
    runtime.stderr(`truceline witness keygen: ${describeError(error)}\n`);
    return 1;
  }
}

/** What the witness keeps between rounds: the log it follows and the last checkpoint it co-signed. */
interface WitnessState {
  readonly logKey: string;
  readonly origin: string;
  readonly size: number;
  readonly rootHash: string;
}

export interface WitnessOptions {
  readonly follow: string;
  readonly key: string;
  readonly state: string;
  /** The log's verifier key; without it the key is fetched once and kept in the state (trust on first use). */
  readonly logKey?: string;
  readonly token?: string;
  readonly once: boolean;
  readonly intervalSeconds: number;
}

function readState(path: string): WitnessState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw error;
  }
  return JSON.parse(text) as WitnessState;
}

function writeState(path: string, state: WitnessState): void {
  writeFileSync(`${path}.partial`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${path}.partial`, path);
}

async function fetchOk(url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, init);
  if (!response.ok) {
    const body = await response.text();
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${body.slice(0, 300)}`);
  }
  return response;
}

/** One round: fetch, check consistency with what was signed before, co-sign, post. */
async function witnessRound(runtime: CliRuntime, options: WitnessOptions): Promise<string> {
  const { ed, sha } = runtime.ledgerCrypto;
  const base = options.follow.replace(/\/+$/, '');
  const witness = parseWitnessPrivateKey(readFileSync(options.key, 'utf8').trim(), ed, sha);
  const state = readState(options.state);
  const logKeyText =
    options.logKey ?? state?.logKey ?? (await (await fetchOk(`${base}/api/v1/ledger/pubkey`)).text()).trim();
  if (state !== undefined && state.logKey !== logKeyText)
    throw new TrucelineError(
      'E_LEDGER_KEY',
      `the log's key is not the one this witness followed before (${state.logKey})`,
    );
  const logKey = parseVerifierKey(logKeyText, sha);
  const note = await (await fetchOk(`${base}/api/v1/ledger/checkpoint`)).text();
  const { body } = verifyNote(note, [ed25519Verifier(logKey, ed)]);
  const checkpoint = parseCheckpoint(body);
  if (checkpoint.origin !== logKey.name)
    throw new TrucelineError(
      'E_LEDGER_VERIFY',
      `the checkpoint is of the log ${checkpoint.origin}, not ${logKey.name}`,
    );
  if (state !== undefined) {
    // Equal sizes need no proof: an empty one verifies only if the roots are the same.
    const proof =
      checkpoint.size > state.size && state.size > 0
        ? (
            (await (
              await fetchOk(
                `${base}/api/v1/ledger/proofs/consistency?from=${state.size}&to=${checkpoint.size}`,
              )
            ).json()) as { proof: string[] }
          ).proof.map((h) => decodeBase64(h) ?? new Uint8Array())
        : [];
    const previous = {
      origin: state.origin,
      size: state.size,
      rootHash: decodeBase64(state.rootHash) ?? new Uint8Array(),
      extensions: [],
    };
    try {
      checkExtension(sha, { previous, next: checkpoint, proof });
    } catch (error) {
      throw new TrucelineError(
        'E_INCONSISTENT_CHECKPOINT',
        `refused to co-sign the checkpoint of size ${checkpoint.size}: ${describeError(error)}`,
        { details: { size: checkpoint.size, signedSize: state.size } },
      );
    }
  }
  const line = cosign(body, witness, Math.floor(Date.now() / 1000), ed, sha);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = options.token ?? process.env.TRUCELINE_TOKEN;
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  await fetchOk(`${base}/api/v1/ledger/cosignatures`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      size: checkpoint.size,
      key: formatWitnessVerifierKey(witness.name, witness.publicKey, sha),
      line,
    }),
  });
  writeState(options.state, {
    logKey: logKeyText,
    origin: checkpoint.origin,
    size: checkpoint.size,
    rootHash: encodeBase64(checkpoint.rootHash),
  });
  return `co-signed ${checkpoint.origin} at size ${checkpoint.size}`;
}

export async function witnessFollow(runtime: CliRuntime, options: WitnessOptions): Promise<number> {
  for (;;) {
    try {
      runtime.stderr(`${await witnessRound(runtime, options)}\n`);
    } catch (error) {
      const refused =
        isTrucelineError(error) &&
        ['E_INCONSISTENT_CHECKPOINT', 'E_LEDGER_VERIFY', 'E_LEDGER_KEY'].includes(error.code);
      runtime.stderr(`truceline witness: ${describeError(error)}\n`);
      // A log caught lying is not retried: the operator must look. Network trouble is.
      if (refused || options.once) return 1;
    }
    if (options.once) return 0;
    await new Promise((resolve) => setTimeout(resolve, options.intervalSeconds * 1000));
  }
}

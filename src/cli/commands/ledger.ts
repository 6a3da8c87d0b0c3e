/**
 * @module `truceline ledger pubkey | audit | export | verify`: the log's verifier key; the audit of a
 * store against its ledger; an NDJSON export for everyone or for one organisation; and the check of an
 * export with no database at all — what a party runs on what it was given.
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync } from 'node:fs';
import { auditLedger } from '../../application/ledger/audit-ledger.ts';
import { exportLedger } from '../../application/ledger/export-ledger.ts';
import { verifierKeyText } from '../../application/ledger/ledger-signing.ts';
import { verifyLedgerExport } from '../../application/ledger/verify-ledger-export.ts';
import { TrucelineError, isTrucelineError } from '../../core/errors.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { linesOf } from '../lines-of.ts';
import { describeError } from '../describe-error.ts';

const message = describeError;

/** The key file the options name, as `ledger pubkey` and the store commands agree on it. */
function keyPathOf(options: StoreOptions): string {
  if (options.ledgerKey !== undefined) return options.ledgerKey;
  if (options.databaseUrl !== undefined)
    throw new TrucelineError('E_LEDGER_KEY', '--ledger-key FILE is required with --database-url');
  return `${options.db ?? './truceline.db'}.ledger-key`;
}

export async function ledgerPubkey(runtime: CliRuntime, options: StoreOptions): Promise<number> {
  try {
    runtime.stdout(`${verifierKeyText(runtime.ledgerKeyFile(keyPathOf(options)))}\n`);
    return 0;
  } catch (error) {
    runtime.stderr(`truceline ledger pubkey: ${message(error)}\n`);
    return 1;
  }
}

export async function ledgerAudit(runtime: CliRuntime, options: StoreOptions): Promise<number> {
  // It never appends, and it is what reports a ledger the key does not fit: opened to read.
  const deps = await runtime.openDeps(options, 'read');
  try {
    const outcome = await auditLedger({ store: deps.store, ledgerSigning: deps.ledgerKey() });
    if (!outcome.ok) {
      runtime.stderr(`ledger audit FAILED: ${outcome.problem}\n`);
      return 1;
    }
    runtime.stdout(
      `ledger audit passed: ${outcome.size} entries, ${outcome.rows} rows; ` +
        `${outcome.checkpointSize === null ? 'no checkpoint yet' : `the tree matches the checkpoint of size ${outcome.checkpointSize}`}\n`,
    );
    return 0;
  } catch (error) {
    if (!isTrucelineError(error)) throw error;
    runtime.stderr(`truceline ledger audit: ${error.message}\n`);
    return 1;
  } finally {
    await deps.store.close();
  }
}

export async function ledgerExport(
  runtime: CliRuntime,
  options: StoreOptions & { readonly out: string; readonly for?: string },
): Promise<number> {
  const deps = await runtime.openDeps(options);
  const partial = `${options.out}.partial`;
  try {
    let forOrg = null;
    if (options.for !== undefined) {
      const org = await deps.store.access.findOrganisation(options.for);
      if (org === undefined) {
        runtime.stderr(
          `truceline ledger export: --for: there is no organisation ${JSON.stringify(options.for)}\n`,
        );
        return 1;
      }
      forOrg = { id: org.id, kind: org.kind };
    }
    // Written beside the target and renamed: a refused or failed export leaves no file behind.
    const out = createWriteStream(partial);
    const lines = exportLedger(
      { store: deps.store, clock: deps.clock, ledgerSigning: deps.ledgerKey() },
      forOrg,
    );
    let result: { size: number; opened: number } | undefined;
    try {
      for (;;) {
        const item = await lines.next();
        if (item.done === true) {
          result = item.value;
          break;
        }
        if (!out.write(`${item.value}\n`)) await once(out, 'drain');
      }
    } finally {
      out.end();
      await once(out, 'close');
    }
    renameSync(partial, options.out);
    runtime.stderr(
      `exported ${result.size} entries (${result.opened} records opened${forOrg === null ? '' : ` for ${forOrg.id}`}) to ${options.out}\n`,
    );
    return 0;
  } catch (error) {
    rmSync(partial, { force: true });
    if (!isTrucelineError(error)) throw error;
    runtime.stderr(`truceline ledger export: refused: ${error.message}\n`);
    return 1;
  } finally {
    await deps.store.close();
  }
}

export async function ledgerVerify(
  runtime: CliRuntime,
  file: string,
  options: { readonly key: string; readonly witnessKey: readonly string[]; readonly quorum: number },
): Promise<number> {
  try {
    const result = await verifyLedgerExport(
      linesOf(file),
      { logKey: options.key, witnessKeys: options.witnessKey, quorum: options.quorum },
      runtime.ledgerCrypto,
    );
    runtime.stdout(
      `ledger export verified: ${result.origin}, ${result.size} entries, ${result.opened} records opened` +
        `${result.for === null ? '' : ` (for ${result.for})`}; co-signed by ${result.witnesses.length === 0 ? 'no witness given' : result.witnesses.join(', ')}\n`,
    );
    return 0;
  } catch (error) {
    if (
      !isTrucelineError(error) &&
      !(error instanceof SyntaxError) &&
      (error as { code?: string }).code !== 'ENOENT'
    )
      throw error;
    runtime.stderr(`ledger verify FAILED: ${message(error)}\n`);
    return 1;
  }
}

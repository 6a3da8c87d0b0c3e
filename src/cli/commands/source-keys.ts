/**
 * @module `truceline sources keygen`, `sources rotate-key` and `sources revoke-key`: a source's
 * Ed25519 signing keys. The private key goes to a file (mode 0600) and nowhere else; the server keeps
 * the public key.
 */
import { addSourceKey, revokeSourceKey, rotateSourceKey } from '../../application/manage-source-keys.ts';
import { refuseFlagged } from '../../application/refuse-flagged.ts';
import { isTrucelineError } from '../../core/errors.ts';
import { generateSourceKey, writeSourceKeyFile } from '../../client/source-key.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { instant } from '../../core/observations/schema.ts';

async function run(
  runtime: CliRuntime,
  command: string,
  options: StoreOptions,
  work: (deps: Awaited<ReturnType<CliRuntime['openDeps']>>) => Promise<void>,
): Promise<number> {
  const deps = await runtime.openDeps(options);
  try {
    await work(deps);
    return 0;
  } catch (error) {
    if (isTrucelineError(error)) {
      runtime.stderr(`truceline ${command}: ${error.message}\n`);
      for (const issue of error.issues) runtime.stderr(`  ${issue.path}: ${issue.reason}\n`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT' || code === 'EACCES') {
      runtime.stderr(`truceline ${command}: ${(error as Error).message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await deps.store.close();
  }
}

/** `sources keygen --source ID --out FILE`: a new key for the source, written to FILE and registered. */
export const sourcesKeygen = (
  runtime: CliRuntime,
  options: StoreOptions & { source: string; out: string; rotate?: boolean },
): Promise<number> =>
  run(runtime, options.rotate === true ? 'sources rotate-key' : 'sources keygen', options, async (deps) => {
    await deps.store.sources.get(options.source);
    const key = generateSourceKey();
    // The file first: a registered key whose private half was never written would lock the source out.
    await writeSourceKeyFile(options.out, {
      sourceId: options.source,
      keyId: key.keyId,
      privateKeyPem: key.privateKeyPem,
    });
    const input = { sourceId: options.source, keyId: key.keyId, publicKeySpkiB64: key.publicKeySpkiB64 };
    if (options.rotate === true) {
      const { revoked } = await rotateSourceKey(deps, input);
      runtime.stderr(
        `key ${key.keyId} of ${options.source} written to ${options.out}; revoked from now: ${revoked.join(', ') || '(none)'}\n`,
      );
    } else {
      await addSourceKey(deps, input);
      runtime.stderr(`key ${key.keyId} of ${options.source} written to ${options.out} and registered\n`);
    }
    runtime.stdout(`${key.keyId}\n`);
  });

/** `sources revoke-key --source ID --key-id KEYID [--compromised-at TIME]`. */
export async function sourcesRevokeKey(
  runtime: CliRuntime,
  options: StoreOptions & { source: string; keyId: string; compromisedAt?: string },
): Promise<number> {
  let compromisedAtMs: number | null = null;
  if (options.compromisedAt !== undefined) {
    // With its zone: a time without one would be read in this machine's zone.
    const checked = instant.safeParse(options.compromisedAt);
    if (!checked.success) {
      runtime.stderr(
        `truceline sources revoke-key: --compromised-at ${checked.error.issues[0]?.message ?? 'is not a time'} (not ${options.compromisedAt})\n`,
      );
      return 1;
    }
    compromisedAtMs = Date.parse(checked.data);
  }
  return run(runtime, 'sources revoke-key', options, async (deps) => {
    const { batches, seqs } = await revokeSourceKey(deps, {
      sourceId: options.source,
      keyId: options.keyId,
      compromisedAtMs,
    });
    runtime.stderr(
      `key ${options.keyId} of ${options.source} revoked${compromisedAtMs === null ? '' : `; ${batches.length} submission(s) with ${seqs.length} observation(s) flagged as signed after the compromise`}\n`,
    );
    if (seqs.length === 0) return;
    // The events built on them are fused again, under the agreement fusion runs against (the latest registered).
    const agreement = [...(await deps.store.agreements.list())]
      .sort((a, b) => a.registeredAtMs - b.registeredAtMs)
      .at(-1);
    if (agreement === undefined) return;
    const report = await refuseFlagged(deps, runtime.fusionLogic, agreement.id, seqs);
    runtime.stderr(
      `fused again without them: ${report.revised} event(s) revised, ${report.withdrawn} withdrawn, ${report.added} new; ${report.violations} potential violation revision(s)\n`,
    );
  });
}

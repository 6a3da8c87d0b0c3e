/** @module `truceline agreement register ID|FILE`. */
import { registerAgreement } from '../../application/register-agreement.ts';
import { isTrucelineError } from '../../core/errors.ts';
import type { CliRuntime, StoreOptions } from '../cli-runtime.ts';
import { readAgreementSource } from '../shipped-agreements.ts';
import { describeError } from '../describe-error.ts';

export async function agreementRegister(
  runtime: CliRuntime,
  ref: string,
  options: StoreOptions,
): Promise<number> {
  let source: { text: string; format: 'yaml' | 'json'; path: string };
  try {
    source = await readAgreementSource(ref);
  } catch (error) {
    runtime.stderr(`truceline agreement register: ${describeError(error)}\n`);
    return 1;
  }
  const deps = await runtime.openDeps(options);
  try {
    const { outcome, record } = await registerAgreement(deps, source);
    runtime.stderr(`agreement ${record.id} revision ${record.revision}: ${outcome}\n`);
    return 0;
  } catch (error) {
    if (!isTrucelineError(error)) throw error;
    runtime.stderr(`${source.path}: ${error.message}\n`);
    for (const issue of error.issues) runtime.stderr(`${issue.path}: ${issue.reason}\n`);
    return 1;
  } finally {
    await deps.store.close();
  }
}

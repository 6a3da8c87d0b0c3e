/**
 * @module An error as the CLI prints it: its message, then each field it names with the reason, then
 * what caused it (a store's own error under "the ingest could not be committed", say), so that an
 * operator sees why, not only that, a command failed.
 */
import { TrucelineError } from '../core/errors.ts';

/** How many causes deep the description goes. */
const MAX_CAUSES = 4;

/** The error's message, its field issues one per line, and its causes. */
export function describeError(error: unknown): string {
  const lines = [error instanceof Error ? error.message : String(error)];
  if (error instanceof TrucelineError)
    for (const issue of error.issues) lines.push(`  ${issue.path}: ${issue.reason}`);
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    const text =
      cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : JSON.stringify(cause);
    if (!lines[0]?.includes(text)) lines.push(`  because: ${text}`);
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return lines.join('\n');
}

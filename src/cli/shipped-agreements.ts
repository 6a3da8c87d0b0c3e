/** @module The agreements shipped in data/agreements, by id, or any agreement file. */
import { readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { directoryAbove } from './find-above.ts';
import { readUtf8File } from './read-utf8.ts';

/**
 * data/agreements of the package this module belongs to: in the nearest directory above this file that
 * has it — src/cli/ when run from the sources, dist/ when run from the compiled bundle.
 */
export const SHIPPED_AGREEMENTS_DIR = join(
  directoryAbove(import.meta.url, (dir) => existsSync(join(dir, 'data', 'agreements')), 'data/agreements'),
  'data',
  'agreements',
);
export const DEFAULT_DEMO_AGREEMENT = 'paris-2026-illustrative';

/** Ids of the shipped agreements. */
export async function shippedAgreementIds(): Promise<string[]> {
  return (await readdir(SHIPPED_AGREEMENTS_DIR))
    .filter((n) => n.endsWith('.yaml'))
    .map((n) => n.slice(0, -5))
    .sort();
}

/** Reads `ref`: a shipped agreement id, or a path to a .yaml/.yml/.json file. */
export async function readAgreementSource(
  ref: string,
): Promise<{ text: string; format: 'yaml' | 'json'; path: string }> {
  const ext = extname(ref).toLowerCase();
  const path = ['.yaml', '.yml', '.json'].includes(ext) ? ref : join(SHIPPED_AGREEMENTS_DIR, `${ref}.yaml`);
  let text: string;
  try {
    text = await readUtf8File(path);
  } catch (error) {
    // Read, but not UTF-8: that is the reason to give.
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    const shipped = await shippedAgreementIds().catch(() => []);
    throw new Error(
      `cannot read agreement ${JSON.stringify(ref)}: not a readable .yaml/.yml/.json file nor a shipped agreement (${shipped.join(', ')})`,
    );
  }
  return { text, format: extname(path).toLowerCase() === '.json' ? 'json' : 'yaml', path };
}

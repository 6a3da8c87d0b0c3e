/** @module Finding a directory of the package from code that may run from the sources or a bundle. */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The nearest directory above the module at `moduleUrl` (its own first) for which `holds` is true:
 * the same answer whether the module runs from src/ or compiled into dist/ or bench/data/build/.
 * Throws, naming `what`, when no directory up to the root holds.
 */
export function directoryAbove(moduleUrl: string, holds: (dir: string) => boolean, what: string): string {
  for (let dir = dirname(fileURLToPath(moduleUrl)); ; dir = dirname(dir)) {
    if (holds(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`${what} not found above ${fileURLToPath(moduleUrl)}`);
  }
}

// Finds the test files: every *.test.ts below src/ and test/.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** @param {string} root the repository root @returns {string[]} absolute paths, sorted */
export function findTestFiles(root) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.test.ts')) found.push(path);
    }
  };
  for (const top of ['src', 'test']) walk(join(root, top));
  return found.sort();
}

/**
 * @module Text files the CLI reads (agreements, source registries, a simulator's files) as UTF-8,
 * strictly: bytes that are not UTF-8 are an error naming the line, not text silently replaced with
 * U+FFFD and stored so.
 */
import { isUtf8 } from 'node:buffer';
import { readFile } from 'node:fs/promises';

/** The file's text; throws when its bytes are not valid UTF-8 (a byte-order mark is dropped). */
export async function readUtf8File(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (!isUtf8(bytes)) throw new Error(`${path}: line ${firstMalformedLine(bytes)} is not valid UTF-8`);
  const text = bytes.toString('utf8');
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

/** The first line (1-based) whose bytes are not UTF-8. */
function firstMalformedLine(bytes: Buffer): number {
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    const end = bytes.indexOf(10, start);
    if (!isUtf8(bytes.subarray(start, end === -1 ? bytes.length : end))) return line;
    if (end === -1) break;
    start = end + 1;
  }
  return line;
}

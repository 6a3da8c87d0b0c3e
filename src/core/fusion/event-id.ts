/**
 * @module An event's id: opaque, and stable for the same first observation. It must not carry the
 * source's id — an event id is shown to the parties and the public, and "which sensor heard it first"
 * tells where the sensors are.
 */

/** 53-bit string hash (cyrb53), seeded. */
function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * `ev-` and 28 hex digits (106 bits from two seeded hashes) of the first observation's source and
 * record ids: the same observation always gives the same id, and no id gives the observation away.
 *
 * @example
 * eventIdOf('ac-ua-12', 'r-000031'); // "ev-…" (28 hex digits)
 */
export function eventIdOf(sourceId: string, recordId: string): string {
  const key = `${sourceId}\u0000${recordId}`;
  return `ev-${hash53(key, 1).toString(16).padStart(14, '0')}${hash53(key, 2).toString(16).padStart(14, '0')}`;
}

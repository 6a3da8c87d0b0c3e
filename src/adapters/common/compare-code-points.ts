/**
 * @module Text order by Unicode code point — what SQLite's BINARY collation and PostgreSQL's "C"
 * collation give for UTF-8 text — for stores that sort in JavaScript (whose `<` compares UTF-16 units).
 */

/** Negative, zero or positive as `a` sorts before, with or after `b`. */
export function compareCodePoints(a: string, b: string): number {
  const x = a[Symbol.iterator]();
  const y = b[Symbol.iterator]();
  for (;;) {
    const p = x.next();
    const q = y.next();
    if (p.done === true) return q.done === true ? 0 : -1;
    if (q.done === true) return 1;
    const d = (p.value.codePointAt(0) ?? 0) - (q.value.codePointAt(0) ?? 0);
    if (d !== 0) return d;
  }
}

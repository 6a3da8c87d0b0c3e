import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TrucelineError } from '../errors.ts';
import {
  countNdjsonRecords,
  decodeNdjson,
  eachNdjsonRecord,
  rawRecordsOf,
  type RawRecord,
} from './raw-record.ts';

/** The definition, line by line: every line whose trimmed text is not empty is a record, numbered from `first`. */
function reference(text: string, first: number): { position: number; text: string }[] {
  return text
    .split('\n')
    .map((line, i) => ({ position: first + i, text: line.endsWith('\r') ? line.slice(0, -1) : line }))
    .filter((line) => line.text.trim() !== '');
}

const pieces = fc.constantFrom(
  '\n',
  '\r\n',
  ' ',
  '\t',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '{}',
  '{"a":1}',
  'x',
  '[1]',
);
const ndjson = fc.array(pieces, { maxLength: 40 }).map((parts) => parts.join(''));

test('NDJSON records are the non-blank lines, each at its line number, however blank lines and white space fall', () => {
  fc.assert(
    fc.property(ndjson, fc.integer({ min: 0, max: 3 }), (text, first) => {
      const seen: RawRecord[] = [];
      eachNdjsonRecord(decodeNdjson(text), first, (raw) => seen.push(raw));
      const expected = reference(text, first);
      assert.deepEqual(
        seen.map((r) => ({ position: r.position, text: r.text })),
        expected,
      );
      assert.equal(countNdjsonRecords(text), expected.length);
    }),
    { numRuns: 2_000 },
  );
});

test('a record after a million blank lines is found at its line', () => {
  const text = `${'\n'.repeat(1_000_000)}{"id":"late"}\n\n`;
  const seen: RawRecord[] = [];
  eachNdjsonRecord(decodeNdjson(text), 1, (raw) => seen.push(raw));
  assert.deepEqual(
    seen.map((r) => [r.position, r.text]),
    [[1_000_001, '{"id":"late"}']],
  );
  assert.equal(countNdjsonRecords(text), 1);
});

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('an NDJSON line whose bytes are not UTF-8 is rejected as such; its neighbours are read as sent', () => {
  // "{" then 0xC3 0x28 (a lead byte without its continuation) then "}".
  const text = bytes('{"a":"é"}\n', [0x7b, 0xc3, 0x28, 0x7d], '\n{"b":2}\n');
  const records = rawRecordsOf({ format: 'ndjson', text, firstPosition: 1 });
  assert.deepEqual(
    records.map((r) =>
      'issues' in r ? { position: r.position, issues: r.issues } : { position: r.position, value: r.value },
    ),
    [
      { position: 1, value: { a: 'é' } },
      { position: 2, issues: [{ path: '(root)', reason: 'is not valid UTF-8' }] },
      { position: 3, value: { b: 2 } },
    ],
  );
});

test('a JSON body whose bytes are not UTF-8 is refused whole', () => {
  const text = bytes('[{"text":"caf', [0xe9], '"}]');
  assert.throws(
    () => rawRecordsOf({ format: 'json', text }),
    (error: unknown) =>
      error instanceof TrucelineError &&
      error.code === 'E_BAD_REQUEST' &&
      /not valid UTF-8/.test(error.message),
  );
});

test('a byte-order mark opening any line is ignored, as at the start of the text', () => {
  const text = bytes([0xef, 0xbb, 0xbf], '{"a":1}\n', [0xef, 0xbb, 0xbf], '{"b":2}\n');
  const records = rawRecordsOf({ format: 'ndjson', text, firstPosition: 1 });
  assert.deepEqual(
    records.map((r) => ('value' in r ? r.value : r.issues)),
    [{ a: 1 }, { b: 2 }],
  );
});

test('a key given twice is named, in NDJSON and in a JSON array; keys repeated only inside strings are not', () => {
  const ndjson = rawRecordsOf({
    format: 'ndjson',
    text: bytes(
      '{"id":"other","kind":"x","id":"mine"}\n{"a":{"b":1,"c":[{"d":1,"d":2}]}}\n{"t":"a\\":1,\\"t\\":2","u":1}\n',
    ),
    firstPosition: 1,
  });
  assert.deepEqual(
    ndjson.map((r) => ('issues' in r ? r.issues : r.value)),
    [
      [{ path: 'id', reason: 'is given more than once' }],
      [{ path: 'a.c[0].d', reason: 'is given more than once' }],
      { t: 'a":1,"t":2', u: 1 },
    ],
  );
  const array = rawRecordsOf({ format: 'json', text: bytes('[{"a":1},{"b":{"x":1,"x":1}},{"c":3}]') });
  assert.deepEqual(
    array.map((r) => ('issues' in r ? r.issues : r.value)),
    [{ a: 1 }, [{ path: 'b.x', reason: 'is given more than once' }], { c: 3 }],
  );
  const lone = rawRecordsOf({ format: 'json', text: bytes('{"lat":10,"lat":20}') });
  assert.deepEqual(
    lone.map((r) => ('issues' in r ? r.issues : r.value)),
    [[{ path: 'lat', reason: 'is given more than once' }]],
  );
});

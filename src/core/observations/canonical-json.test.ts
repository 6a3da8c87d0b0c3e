import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json.ts';

test('keys are sorted by UTF-16 code units and white space is dropped (RFC 8785 §3.2.3 example order)', () => {
  const value = {
    '\u20ac': 'Euro Sign',
    '\r': 'Carriage Return',
    '\ufb33': 'Hebrew Letter Dalet With Dagesh',
    '1': 'One',
    '\ud83d\ude00': 'Emoji: Grinning Face',
    '\u0080': 'Control',
    '\u00f6': 'Latin Small Letter O With Diaeresis',
  };
  const text = canonicalJson(value);
  const order = ['\\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'].map((k) =>
    text.indexOf(`"${k}":`),
  );
  assert.ok(order.every((at) => at >= 0));
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'keys out of RFC 8785 order',
  );
  assert.equal(
    canonicalJson({ b: [1, { d: true, c: null }], a: 'x' }),
    '{"a":"x","b":[1,{"c":null,"d":true}]}',
  );
});

test('numbers use the shortest ECMAScript form, -0 becomes 0', () => {
  assert.equal(
    canonicalJson([1e21, 1e-7, 0.1, -0, 333333333.3333333]),
    '[1e+21,1e-7,0.1,0,333333333.3333333]',
  );
});

test('non-finite numbers cannot be canonicalised', () => {
  assert.throws(() => canonicalJson({ x: Number.NaN }), /non-finite/);
});

test('canonical form is independent of key order and round-trips through JSON.parse', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      const text = canonicalJson(value);
      assert.equal(canonicalJson(JSON.parse(text)), text);
      const reordered = JSON.parse(JSON.stringify(value), function (this: unknown, _k, v: unknown) {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
        return Object.fromEntries(Object.entries(v).reverse());
      }) as unknown;
      assert.equal(canonicalJson(reordered), text);
    }),
  );
});

test('keys a plain object would reorder or swallow (array indexes, __proto__) still come out in RFC 8785 order', () => {
  assert.equal(canonicalJson({ b: 1, '10': 2, '9': 3, a: 4 }), '{"10":2,"9":3,"a":4,"b":1}');
  const withProto = JSON.parse('{"z":1,"__proto__":{"y":[2]},"a":0}') as unknown;
  assert.equal(canonicalJson(withProto), '{"__proto__":{"y":[2]},"a":0,"z":1}');
  assert.equal(canonicalJson({ outer: { '2': 'x', '1': 'y' } }), '{"outer":{"1":"y","2":"x"}}');
});

test('undefined inside an array and values JSON cannot hold are refused; undefined members are left out', () => {
  assert.throws(() => canonicalJson([1, undefined]), /undefined/);
  assert.throws(() => canonicalJson({ f: () => 1 }), /function/);
  assert.throws(() => canonicalJson({ n: 1n }), /bigint/);
  assert.equal(canonicalJson({ a: undefined, b: 1 }), '{"b":1}');
});

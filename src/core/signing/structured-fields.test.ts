import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  type BareItem,
  decodeBase64,
  encodeBase64,
  type InnerList,
  type Item,
  parseDictionary,
  serializeBareItem,
  serializeDictionary,
  serializeMember,
  sf,
  StructuredFieldError,
} from './structured-fields.ts';

// RFC 9421 Appendix B.2.6, with the RFC 8792 line wrapping undone.
const RFC_B26_INPUT =
  'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"';

const innerList = (text: string, label = 'sig1'): InnerList => {
  const member = parseDictionary(text).get(label);
  assert.equal(member?.kind, 'inner-list');
  return member;
};

const item = (text: string, key = 'a'): Item => {
  const member = parseDictionary(text).get(key);
  assert.equal(member?.kind, 'item');
  return member;
};

const bare = (text: string): BareItem => item(`a=${text}`).value;

describe('parseDictionary', () => {
  it('reads the Signature-Input of RFC 9421 B.2.6 and serialises it back unchanged', () => {
    const dictionary = parseDictionary(RFC_B26_INPUT);
    assert.deepEqual([...dictionary.keys()], ['sig-b26']);
    const list = innerList(RFC_B26_INPUT, 'sig-b26');
    assert.deepEqual(
      list.items.map((i) => i.value),
      ['date', '@method', '@path', '@authority', 'content-type', 'content-length'].map((value) => ({
        type: 'string',
        value,
      })),
    );
    assert.deepEqual(list.params.get('created'), { type: 'integer', value: 1618884473 });
    assert.deepEqual(list.params.get('keyid'), { type: 'string', value: 'test-key-ed25519' });
    assert.equal(serializeDictionary(dictionary), RFC_B26_INPUT);
  });

  it('keeps the parameters in the order they were written', () => {
    const list = innerList('sig1=("@method");nonce="n";created=1;keyid="k";alg="ed25519"');
    assert.deepEqual([...list.params.keys()], ['nonce', 'created', 'keyid', 'alg']);
    assert.equal(serializeMember(list), '("@method");nonce="n";created=1;keyid="k";alg="ed25519"');
  });

  it('is robust to the whitespace RFC 8941 allows, and to surrounding tabs', () => {
    const text = ' \t sig1=(  "@method"   "@path" );  created=1;keyid="k" ,\tsig2=:AAAA:  \t';
    const dictionary = parseDictionary(text);
    assert.deepEqual([...dictionary.keys()], ['sig1', 'sig2']);
    assert.equal(
      serializeDictionary(dictionary),
      'sig1=("@method" "@path");created=1;keyid="k", sig2=:AAAA:',
    );
  });

  it('reads every bare item type', () => {
    assert.deepEqual(bare('42'), { type: 'integer', value: 42 });
    assert.deepEqual(bare('-999999999999999'), { type: 'integer', value: -999999999999999 });
    assert.deepEqual(bare('4.5'), { type: 'decimal', value: 4.5 });
    assert.deepEqual(bare('"say \\"hi\\" \\\\ bye"'), { type: 'string', value: 'say "hi" \\ bye' });
    assert.deepEqual(bare('ed25519'), { type: 'token', value: 'ed25519' });
    assert.deepEqual(bare('*foo:bar/baz'), { type: 'token', value: '*foo:bar/baz' });
    assert.deepEqual(bare('?0'), { type: 'boolean', value: false });
    assert.deepEqual(bare(':aGVsbG8=:'), { type: 'bytes', value: new TextEncoder().encode('hello') });
  });

  it('accepts a byte sequence without its = padding (RFC 8941 section 4.2.7)', () => {
    assert.deepEqual(bare(':aGVsbG8:'), { type: 'bytes', value: new TextEncoder().encode('hello') });
  });

  it('reads a member without a value as true, with its parameters', () => {
    const member = item('a;x=1, b', 'a');
    assert.deepEqual(member.value, { type: 'boolean', value: true });
    assert.deepEqual(member.params.get('x'), { type: 'integer', value: 1 });
    assert.equal(serializeDictionary(parseDictionary('a;x=1, b')), 'a;x=1, b');
  });

  it('lets a repeated key keep its first place and take its last value', () => {
    const dictionary = parseDictionary('a=1, b=2, a=3');
    assert.deepEqual([...dictionary.keys()], ['a', 'b']);
    assert.deepEqual((dictionary.get('a') as Item).value, { type: 'integer', value: 3 });
  });

  it('reads an empty value as an empty dictionary', () => {
    assert.equal(parseDictionary('  ').size, 0);
  });

  const malformed: [string, string, RegExp][] = [
    ['an inner list not closed', 'sig1=("@method" "@path"', /inner list not closed/],
    ['a string not closed', 'a="abc', /string not closed/],
    ['an escape other than \\" and \\\\', 'a="a\\nb"', /may be escaped/],
    ['a non-ASCII character in a string', 'a="é"', /printable ASCII/],
    ['an upper-case key', 'Sig1=1', /expected a key/],
    ['a trailing comma', 'a=1,', /trailing ","/],
    ['a missing comma', 'a=1 b=2', /expected ","/],
    ['a 16-digit integer', 'a=1234567890123456', /at most 15 digits/],
    ['a decimal with four fraction digits', 'a=1.2345', /one to three digits/],
    ['a lone minus', 'a=-', /digit after "-"/],
    ['a byte sequence with a character outside base64', 'a=:ab$c:', /not closed with ":"/],
    ['a byte sequence of impossible length', 'a=:abcde:', /malformed base64/],
    ['a boolean other than ?0 and ?1', 'a=?2', /\?0 or \?1/],
    ['items in an inner list without a space', 'a=("x""y")', /space or "\)"/],
    ['a value that cannot start an item', 'a=@x', /where a value should start/],
    ['a missing value after =', 'a=', /found the end/],
  ];
  for (const [what, text, message] of malformed)
    it(`refuses ${what}, saying where`, () => {
      assert.throws(
        () => parseDictionary(text),
        (error: unknown) =>
          error instanceof StructuredFieldError &&
          message.test(error.message) &&
          /at character \d+/.test(error.message),
      );
    });

  it('reports the offset of the fault', () => {
    try {
      parseDictionary('a=1, b=?x');
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof StructuredFieldError);
      assert.equal(error.offset, 8);
    }
  });
});

describe('serialising', () => {
  it('escapes strings and refuses what a string cannot hold', () => {
    assert.equal(serializeBareItem(sf.string('a"b\\c')), '"a\\"b\\\\c"');
    assert.throws(() => serializeBareItem(sf.string('line\nbreak')), StructuredFieldError);
  });

  it('writes decimals with one to three fraction digits', () => {
    assert.equal(serializeBareItem({ type: 'decimal', value: 1 }), '1.0');
    assert.equal(serializeBareItem({ type: 'decimal', value: -2.5 }), '-2.5');
    assert.equal(serializeBareItem({ type: 'decimal', value: 0.12345 }), '0.123');
  });

  it('refuses integers beyond 15 digits, bad tokens and bad keys', () => {
    assert.throws(() => serializeBareItem(sf.integer(1e15)), StructuredFieldError);
    assert.throws(() => serializeBareItem(sf.integer(1.5)), StructuredFieldError);
    assert.throws(() => serializeBareItem(sf.token('9lives')), StructuredFieldError);
    assert.throws(
      () => serializeDictionary(new Map([['Upper', sf.item(sf.integer(1))]])),
      StructuredFieldError,
    );
  });

  it('round-trips an inner list with every kind of parameter', () => {
    const text = 'sig1=("a" "b";x);s="t";i=-3;d=0.5;t=tok;b=?0;y;bytes=:AQID:';
    assert.equal(serializeDictionary(parseDictionary(text)), text);
  });
});

describe('base64', () => {
  it('agrees with Buffer on every length and content', () => {
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      const encoded = encodeBase64(bytes);
      assert.equal(encoded, Buffer.from(bytes).toString('base64'));
      assert.deepEqual(decodeBase64(encoded), bytes);
      assert.deepEqual(decodeBase64(encoded.replace(/=+$/, '')), bytes);
    }
  });

  it('refuses padding in the middle, wrong padding and foreign characters', () => {
    assert.equal(decodeBase64('AB=C'), undefined);
    assert.equal(decodeBase64('ABC=='), undefined);
    assert.equal(decodeBase64('AB-_'), undefined);
    assert.equal(decodeBase64('A'), undefined);
  });
});

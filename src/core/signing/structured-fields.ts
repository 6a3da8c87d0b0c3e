/**
 * @module The part of RFC 8941 (Structured Field Values for HTTP) that signed ingest needs:
 * dictionaries whose members are items or inner lists, with parameters, over strings, tokens,
 * integers, decimals, booleans and byte sequences. Parsing follows RFC 8941 section 4.2 and
 * serialising section 4.1, so `@signature-params` is rebuilt exactly as the signer serialised it.
 */

/** A bare item, tagged so that a string and a token with the same text stay distinct. */
export type BareItem =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'token'; readonly value: string }
  | { readonly type: 'integer'; readonly value: number }
  | { readonly type: 'decimal'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'bytes'; readonly value: Uint8Array };

/** Parameters in the order they were written; a repeated key keeps its first place and its last value. */
export type Parameters = ReadonlyMap<string, BareItem>;

export interface Item {
  readonly kind: 'item';
  readonly value: BareItem;
  readonly params: Parameters;
}

export interface InnerList {
  readonly kind: 'inner-list';
  readonly items: readonly Item[];
  readonly params: Parameters;
}

/** A dictionary in member order (RFC 8941 section 3.2). */
export type Dictionary = ReadonlyMap<string, Item | InnerList>;

/** A header that is not a valid structured field, with where parsing stopped. */
export class StructuredFieldError extends Error {
  override readonly name = 'StructuredFieldError';
  /** Zero-based character offset in the field value. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at character ${offset + 1}`);
    this.offset = offset;
  }
}

/** Shorthands for building values to serialise. */
export const sf = {
  string: (value: string): BareItem => ({ type: 'string', value }),
  token: (value: string): BareItem => ({ type: 'token', value }),
  integer: (value: number): BareItem => ({ type: 'integer', value }),
  bytes: (value: Uint8Array): BareItem => ({ type: 'bytes', value }),
  item: (value: BareItem, params: Parameters = new Map()): Item => ({ kind: 'item', value, params }),
  innerList: (items: readonly Item[], params: Parameters = new Map()): InnerList => ({
    kind: 'inner-list',
    items,
    params,
  }),
} as const;

/**
 * Parses a Dictionary field value (RFC 8941 section 4.2.2). Leading and trailing spaces and tabs
 * are ignored, as HTTP strips them from field values anyway.
 *
 * @example
 * parseDictionary('sig1=("@method" "@path");created=1618884473;keyid="k"').get('sig1')?.kind // 'inner-list'
 * @throws StructuredFieldError on anything RFC 8941 does not allow.
 */
export function parseDictionary(text: string): Dictionary {
  const parser = new Parser(text);
  parser.skipOws();
  const dictionary = new Map<string, Item | InnerList>();
  if (parser.done()) return dictionary;
  for (;;) {
    const key = parser.key();
    let member: Item | InnerList;
    if (parser.peek() === '=') {
      parser.advance();
      member = parser.itemOrInnerList();
    } else {
      member = { kind: 'item', value: { type: 'boolean', value: true }, params: parser.parameters() };
    }
    dictionary.set(key, member);
    parser.skipOws();
    if (parser.done()) return dictionary;
    parser.expect(',', 'expected "," between dictionary members');
    parser.skipOws();
    if (parser.done()) parser.fail('trailing "," after the last dictionary member');
  }
}

/** Serialises a dictionary (RFC 8941 section 4.1.2): `a=1, b=(x y);p`. */
export function serializeDictionary(dictionary: Dictionary): string {
  const members: string[] = [];
  for (const [key, member] of dictionary) {
    checkKey(key);
    if (member.kind === 'item' && member.value.type === 'boolean' && member.value.value)
      members.push(key + serializeParameters(member.params));
    else members.push(`${key}=${serializeMember(member)}`);
  }
  return members.join(', ');
}

/** Serialises an item or inner list with its parameters (RFC 8941 sections 4.1.1.1 and 4.1.3). */
export function serializeMember(member: Item | InnerList): string {
  if (member.kind === 'item') return serializeBareItem(member.value) + serializeParameters(member.params);
  return `(${member.items.map(serializeMember).join(' ')})${serializeParameters(member.params)}`;
}

/** Serialises parameters (RFC 8941 section 4.1.1.2): `;a=1;b`. */
export function serializeParameters(params: Parameters): string {
  let out = '';
  for (const [key, value] of params) {
    checkKey(key);
    out += `;${key}`;
    if (!(value.type === 'boolean' && value.value)) out += `=${serializeBareItem(value)}`;
  }
  return out;
}

/**
 * Serialises a bare item (RFC 8941 section 4.1.3.1).
 *
 * @throws StructuredFieldError for a value the format cannot carry (a string with a non-printable
 * character, an integer beyond 15 digits, a malformed token).
 */
export function serializeBareItem(item: BareItem): string {
  switch (item.type) {
    case 'string':
      for (let i = 0; i < item.value.length; i++) {
        const c = item.value.charCodeAt(i);
        if (c < 0x20 || c > 0x7e) throw new StructuredFieldError('a string may hold only printable ASCII', i);
      }
      return `"${item.value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'token':
      if (!/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(item.value))
        throw new StructuredFieldError(`${JSON.stringify(item.value)} is not a token`, 0);
      return item.value;
    case 'integer':
      if (!Number.isSafeInteger(item.value) || Math.abs(item.value) > 999_999_999_999_999)
        throw new StructuredFieldError(`${item.value} is not an integer of at most 15 digits`, 0);
      return String(item.value);
    case 'decimal': {
      const rounded = Math.round(item.value * 1000) / 1000;
      if (!Number.isFinite(rounded) || Math.abs(Math.trunc(rounded)) > 999_999_999_999)
        throw new StructuredFieldError(`${item.value} is not a decimal of at most 12 integer digits`, 0);
      const text = rounded.toFixed(3).replace(/0+$/, '');
      return text.endsWith('.') ? `${text}0` : text;
    }
    case 'boolean':
      return item.value ? '?1' : '?0';
    case 'bytes':
      return `:${encodeBase64(item.value)}:`;
  }
}

function checkKey(key: string): void {
  if (!/^[a-z*][a-z0-9_\-.*]*$/.test(key))
    throw new StructuredFieldError(`${JSON.stringify(key)} is not a valid key`, 0);
}

const BASE64_CHAR = /[A-Za-z0-9+/=]/;

/** One pass over a field value; every method consumes input or fails with the offset. */
class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  /** Callers skip spaces and tabs first: HTTP trims them from field values, so they may trail. */
  done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string | undefined {
    return this.text[this.pos];
  }

  advance(): void {
    this.pos += 1;
  }

  fail(message: string): never {
    throw new StructuredFieldError(message, this.pos);
  }

  expect(char: string, message: string): void {
    if (this.peek() !== char) this.fail(message);
    this.advance();
  }

  skipSp(): void {
    while (this.peek() === ' ') this.advance();
  }

  skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.advance();
  }

  key(): string {
    const start = this.pos;
    const first = this.peek();
    if (first === undefined || !/[a-z*]/.test(first))
      this.fail('expected a key (a lower-case letter or "*" first)');
    while (/[a-z0-9_\-.*]/.test(this.peek() ?? '')) this.advance();
    return this.text.slice(start, this.pos);
  }

  itemOrInnerList(): Item | InnerList {
    return this.peek() === '(' ? this.innerList() : this.item();
  }

  item(): Item {
    const value = this.bareItem();
    return { kind: 'item', value, params: this.parameters() };
  }

  innerList(): InnerList {
    this.expect('(', 'expected "("');
    const items: Item[] = [];
    for (;;) {
      this.skipSp();
      const c = this.peek();
      if (c === ')') {
        this.advance();
        return { kind: 'inner-list', items, params: this.parameters() };
      }
      if (c === undefined) this.fail('inner list not closed with ")"');
      items.push(this.item());
      const next = this.peek();
      if (next === undefined) this.fail('inner list not closed with ")"');
      if (next !== ' ' && next !== ')') this.fail('expected a space or ")" after an inner-list item');
    }
  }

  parameters(): Parameters {
    const params = new Map<string, BareItem>();
    while (this.peek() === ';') {
      this.advance();
      this.skipSp();
      const key = this.key();
      let value: BareItem = { type: 'boolean', value: true };
      if (this.peek() === '=') {
        this.advance();
        value = this.bareItem();
      }
      params.set(key, value);
    }
    return params;
  }

  bareItem(): BareItem {
    const c = this.peek();
    if (c === undefined) this.fail('expected a value, found the end');
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') return this.boolean();
    if (c === '*' || /[A-Za-z]/.test(c)) return this.token();
    return this.fail(`unexpected ${JSON.stringify(c)} where a value should start`);
  }

  number(): BareItem {
    const start = this.pos;
    const match = /^-?(\d+)(\.(\d*))?/.exec(this.text.slice(this.pos));
    if (match === null) this.fail('expected a digit after "-"');
    const [whole, intDigits = '', dot, fraction] = match;
    if (dot === undefined) {
      if (intDigits.length > 15) this.fail('an integer may have at most 15 digits');
      this.pos += whole.length;
      return { type: 'integer', value: Number(whole) };
    }
    if (intDigits.length > 12) this.fail('a decimal may have at most 12 integer digits');
    if (fraction === undefined || fraction.length === 0 || fraction.length > 3)
      this.fail('a decimal needs one to three digits after "."');
    this.pos = start + whole.length;
    return { type: 'decimal', value: Number(whole) };
  }

  string(): BareItem {
    this.advance();
    let value = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail("string not closed with '\"'");
      this.advance();
      if (c === '"') return { type: 'string', value };
      if (c === '\\') {
        const escaped = this.peek();
        if (escaped !== '"' && escaped !== '\\') this.fail('only \\" and \\\\ may be escaped in a string');
        this.advance();
        value += escaped;
        continue;
      }
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) {
        this.pos -= 1;
        this.fail('a string may hold only printable ASCII');
      }
      value += c;
    }
  }

  token(): BareItem {
    const start = this.pos;
    this.advance();
    while (/[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/.test(this.peek() ?? '')) this.advance();
    return { type: 'token', value: this.text.slice(start, this.pos) };
  }

  bytes(): BareItem {
    this.advance();
    const start = this.pos;
    while (BASE64_CHAR.test(this.peek() ?? '')) this.advance();
    const encoded = this.text.slice(start, this.pos);
    this.expect(':', 'byte sequence not closed with ":" (or a character outside base64)');
    const value = decodeBase64(encoded);
    if (value === undefined) {
      this.pos = start;
      this.fail('malformed base64 in a byte sequence');
    }
    return { type: 'bytes', value };
  }

  boolean(): BareItem {
    this.advance();
    const c = this.peek();
    if (c !== '0' && c !== '1') this.fail('a boolean is ?0 or ?1');
    this.advance();
    return { type: 'boolean', value: c === '1' };
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const INDEX = new Map(Array.from({ length: ALPHABET.length }, (_, i) => [ALPHABET.charAt(i), i]));

/** Standard base64 with padding: the byte-sequence form of RFC 8941 (core has no Buffer). */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63] ?? '';
    out += ALPHABET[(n >> 12) & 63] ?? '';
    out += b === undefined ? '=' : (ALPHABET[(n >> 6) & 63] ?? '');
    out += c === undefined ? '=' : (ALPHABET[n & 63] ?? '');
  }
  return out;
}

/**
 * Decodes standard base64. Missing padding is accepted, as RFC 8941 section 4.2.7 asks of parsers;
 * `=` anywhere but at the end, or a length no encoder produces, is not.
 *
 * @returns the bytes, or `undefined` if the text is not base64.
 */
export function decodeBase64(text: string): Uint8Array | undefined {
  const body = text.replace(/={1,2}$/, '');
  if (body.length % 4 === 1 || body.includes('=')) return undefined;
  if (text.length !== body.length && text.length % 4 !== 0) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (const c of body) {
    const v = INDEX.get(c);
    if (v === undefined) return undefined;
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * @module The project's one XML reader (for CoT and CAP messages): text in, a small immutable element
 * tree out. Any document type declaration is refused, so no entity is ever expanded or fetched
 * (billion laughs, XXE); only the five predefined entities and character references are decoded.
 */
import { Buffer } from 'node:buffer';
import { SaxesParser } from 'saxes';
import { validationError, type TrucelineError } from '../../core/errors.ts';

/** One element: its name as written (prefix included), attributes, child elements and own text. */
export interface XmlElement {
  readonly name: string;
  /** Attribute values, entities and character references decoded. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /**
   * The character data (text and CDATA) directly inside this element, not its descendants',
   * concatenated and trimmed of XML whitespace (space, tab, CR, LF) at both ends.
   */
  readonly text: string;
}

/** Limits on one document; a document beyond any of them is refused. */
export interface ParseXmlOptions {
  /** The largest document, in UTF-8 bytes; default 1 MiB. */
  readonly maxBytes?: number;
  /** The deepest nesting of elements, the root being depth 1; default 64. */
  readonly maxDepth?: number;
  /** The most elements in the document; default 100 000. */
  readonly maxNodes?: number;
}

/** The limits applied when the options do not say otherwise. */
export const DEFAULT_XML_LIMITS = { maxBytes: 1024 * 1024, maxDepth: 64, maxNodes: 100_000 } as const;

const INVALID = 'the XML document is invalid';
const DOCTYPE_REFUSED =
  'a document type declaration (DOCTYPE) is not accepted: no entity beyond the five predefined ones is ever expanded or fetched';
const UNDEFINED_ENTITY =
  'undefined entity; only &amp; &lt; &gt; &quot; &apos; and character references such as &#x41; are accepted.';

/**
 * Parses one XML document into its root element.
 *
 * Refused, with a `TrucelineError` of code `E_VALIDATION` and one issue whose `path` is `xml` or the
 * path of the offending element (`event.detail`): any `<!DOCTYPE …>` (before any entity in it could
 * be expanded), a reference to any entity but `&amp; &lt; &gt; &quot; &apos;`, a document over a
 * limit of `options`, malformed XML, no root element or more than one. Comments and processing
 * instructions are dropped; namespaces are not processed (`cot:event` is a name like any other).
 *
 * @example
 * const event = parseXml('<event uid="A-1" type="a-f-G"><point lat="48.1" lon="37.7"/></event>');
 * event.attributes.uid; // 'A-1'
 * event.children[0]?.attributes.lat; // '48.1'
 * parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'); // throws E_VALIDATION: DOCTYPE not accepted
 */
export function parseXml(text: string, options: ParseXmlOptions = {}): XmlElement {
  const maxBytes = limit(options, 'maxBytes');
  const maxDepth = limit(options, 'maxDepth');
  const maxNodes = limit(options, 'maxNodes');

  // A UTF-16 code unit is at least one UTF-8 byte, so the length alone can refuse without counting.
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes)
    throw refused('xml', `the document is larger than the limit of ${maxBytes} bytes`);

  interface Open {
    readonly name: string;
    readonly attributes: Readonly<Record<string, string>>;
    readonly children: XmlElement[];
    readonly text: string[];
  }
  const open: Open[] = [];
  let root: XmlElement | undefined;
  let nodes = 0;
  // The element whose start tag is being read: saxes reports its attribute errors before 'opentag'.
  let opening: string | undefined;
  // saxes closes an element and only then finds that the closing tag was not its own (`<a><b></a>`):
  // that error belongs to the element just closed.
  let lastClosed = 'xml';
  const pathOf = (name?: string): string => {
    const names = open.map((element) => element.name);
    if (name !== undefined) names.push(name);
    return names.length === 0 ? 'xml' : names.join('.');
  };
  const addText = (data: string): void => {
    open.at(-1)?.text.push(data); // outside the root, saxes lets through only whitespace
  };

  const parser = new SaxesParser({ xmlns: false });
  parser.on('doctype', () => {
    throw refused('xml', DOCTYPE_REFUSED);
  });
  parser.on('error', (error) => {
    const message = error.message.replace(/^\d+:\d+: /, ''); // saxes prefixes "line:column: "
    const detail = message.startsWith('undefined entity') ? UNDEFINED_ENTITY : message;
    const path = message.startsWith('unexpected close tag') ? lastClosed : pathOf(opening);
    throw refused(path, `malformed XML at line ${parser.line}, column ${parser.column}: ${detail}`);
  });
  parser.on('opentagstart', (tag) => {
    opening = tag.name;
  });
  parser.on('opentag', (tag) => {
    opening = undefined;
    nodes += 1;
    if (nodes > maxNodes) throw refused(pathOf(tag.name), `the document has more than ${maxNodes} elements`);
    if (open.length >= maxDepth)
      throw refused(pathOf(tag.name), `the elements are nested deeper than ${maxDepth} levels`);
    // Object.fromEntries defines own properties: even an attribute named "__proto__" stays plain data.
    const attributes = Object.fromEntries(Object.entries(tag.attributes));
    open.push({ name: tag.name, attributes, children: [], text: [] });
  });
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    lastClosed = pathOf();
    const done = open.pop();
    if (done === undefined) return;
    const element: XmlElement = Object.freeze({
      name: done.name,
      attributes: Object.freeze(done.attributes),
      children: Object.freeze(done.children),
      text: trimXmlSpace(done.text.join('')),
    });
    const parent = open.at(-1);
    if (parent === undefined) root = element;
    else parent.children.push(element);
  });

  parser.write(text).close();
  if (root === undefined) throw refused('xml', 'the document has no root element');
  return root;
}

const limit = (options: ParseXmlOptions, name: keyof ParseXmlOptions): number => {
  const value = options[name] ?? DEFAULT_XML_LIMITS[name];
  if (!Number.isSafeInteger(value) || value < 1)
    throw validationError('the XML limits are invalid', [
      { path: name, reason: 'must be a positive integer' },
    ]);
  return value;
};

const refused = (path: string, reason: string): TrucelineError =>
  validationError(INVALID, [{ path, reason }]);

const isXmlSpace = (code: number): boolean =>
  code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** Trims XML whitespace only (not NBSP), by index: a regex like /\s+$/ is quadratic on long runs. */
const trimXmlSpace = (value: string): string => {
  let start = 0;
  let end = value.length;
  while (start < end && isXmlSpace(value.charCodeAt(start))) start += 1;
  while (end > start && isXmlSpace(value.charCodeAt(end - 1))) end -= 1;
  return value.slice(start, end);
};

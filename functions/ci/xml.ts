import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidInput } from '../core/errors.ts';

/** What XML 1.0 cannot carry at all, not even as a character reference (its `Char` production). */
const NOT_XML_CHARACTERS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** The references XML itself defines (its five predefined entities and character references), not declared ones. */
const XML_REFERENCE = /&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z_][\w.-]*));/g;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

function referenced(reference: string, hex: string | undefined, decimal: string | undefined, name: string | undefined): string {
  if (name !== undefined) {
    if (Object.hasOwn(PREDEFINED, name)) return PREDEFINED[name]!;
    throw new Error(`&${name}; is not one of XML's predefined entities, and no other is declared`);
  }
  const codePoint = hex !== undefined ? parseInt(hex, 16) : Number(decimal);
  const character = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '';
  // search() ignores the global pattern's lastIndex.
  if (character === '' || character.search(NOT_XML_CHARACTERS) !== -1)
    throw new Error(`${reference} refers to no character XML 1.0 allows`);
  return character;
}

/**
 * What a conforming parser must decode and no more: `&amp;`, `&lt;`, `&#60;` and the like in text
 * (the Python SDK writes `>` as `&gt;`, and a rule such as `thumbnail/200x300<` can only be sent so).
 * No entity is ever expanded: DTDs are refused before parsing, so no declaration can add one.
 */
const xmlReferences = {
  decode: (text: string) => text.replace(XML_REFERENCE, referenced),
  addInputEntities(entities: Record<string, string>) {
    if (Object.keys(entities).length > 0) throw new Error('entity declarations are not accepted');
  },
  setExternalEntities(entities: Record<string, string>) {
    if (Object.keys(entities).length > 0) throw new Error('external entities are not accepted');
  },
  reset: () => undefined,
  setXmlVersion: () => undefined,
};

const parser = new XMLParser({
  processEntities: true,
  entityDecoder: xmlReferences,
  ignoreDeclaration: true,
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
});
const builder = new XMLBuilder({ suppressEmptyNode: true, processEntities: true });

export const MAX_XML_BYTES = 256 * 1024;

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

export function parseXml(text: string): Record<string, unknown> {
  if (text.length > MAX_XML_BYTES) throw invalidInput(`the body is larger than ${MAX_XML_BYTES} bytes`, 'InvalidContent');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw invalidInput('DTDs and entity declarations are not accepted', 'InvalidContent');
  const forbidden = text.match(NOT_XML_CHARACTERS);
  if (forbidden)
    throw invalidInput(
      `the body is not well-formed XML: it holds ${codePoint(forbidden[0])}, which XML 1.0 does not allow`,
      'MalformedXML',
    );
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw invalidInput(`the body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`, 'MalformedXML');
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (error) {
    // The parser's own refusals: nesting deeper than it allows, names such as __proto__.
    throw invalidInput(`the body is not acceptable XML: ${(error as Error).message}`, 'MalformedXML');
  }
}

/** Every key and string with what XML cannot carry replaced by U+FFFD, so an answer is always well-formed. */
function xmlSafe(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(NOT_XML_CHARACTERS, '\uFFFD');
  if (Array.isArray(value)) return value.map(xmlSafe);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [xmlSafe(key) as string, xmlSafe(inner)]));
  }
  return value;
}

export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: xmlSafe(value) }) as string}`;
}

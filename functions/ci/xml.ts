import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { invalidInput } from '../core/errors.ts';

// Entities are never expanded and DTDs are refused outright, so no entity bomb or external
// entity can reach the parser.
const parser = new XMLParser({ processEntities: false, ignoreDeclaration: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });
const builder = new XMLBuilder({ suppressEmptyNode: true, processEntities: true });

export const MAX_XML_BYTES = 256 * 1024;

export function parseXml(text: string): Record<string, unknown> {
  if (text.length > MAX_XML_BYTES) throw invalidInput(`the body is larger than ${MAX_XML_BYTES} bytes`, 'InvalidContent');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw invalidInput('DTDs and entity declarations are not accepted', 'InvalidContent');
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw invalidInput(`the body is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`, 'MalformedXML');
  return parser.parse(text) as Record<string, unknown>;
}

export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ [root]: value }) as string}`;
}

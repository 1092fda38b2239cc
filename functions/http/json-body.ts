import { invalidInput } from '../core/errors.ts';

/**
 * Finds a string holding a lone UTF-16 surrogate. JSON's `\ud800` escape is the one way a
 * request can carry one (multipart, urlencoded and XML text arrive as UTF-8, where it cannot
 * exist); S3 keys, DynamoDB items and URLs all refuse it further down, so it stops here.
 */
function illFormedPath(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.isWellFormed() ? undefined : path;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = illFormedPath(item, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      // A name that is not well-formed is not echoed back: the answer must stay well-formed.
      if (!key.isWellFormed()) return path ? `a field name in ${path}` : 'a field name';
      const found = illFormedPath(item, path ? `${path}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Parses JSON request text: undefined when it is not JSON (each dialect words that its own way);
 * refused when any key or string in it is not well-formed Unicode.
 */
export function parseJsonText(text: string): { readonly value: unknown } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const where = illFormedPath(value, '');
  if (where !== undefined) throw invalidInput(`${where || 'the body'} is not well-formed Unicode (it holds a lone surrogate)`);
  return { value };
}

/** A body that must be one JSON object. */
export function readJsonObject(body: Buffer): Record<string, unknown> {
  const parsed = parseJsonText(body.toString('utf8'));
  if (!parsed) throw invalidInput('body is not valid JSON');
  const { value } = parsed;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidInput('JSON body must be an object');
  return value as Record<string, unknown>;
}

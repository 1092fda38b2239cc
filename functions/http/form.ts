import busboy from 'busboy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { invalidInput } from '../core/errors.ts';
import { readJsonObject } from './json-body.ts';

export interface UploadedFile {
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export interface ParsedForm {
  readonly fields: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, UploadedFile>>;
}

/** How many file parts a route takes, and how large each may be. */
export interface FileLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
  /** File parts the route cannot do without. */
  readonly required?: readonly string[];
}

const FIELD_LIMITS = { fields: 200, fieldSize: 64 * 1024 };
/** For routes that declare no files: what arrives is read (the request's own size bounds it) and ignored. */
const UNDECLARED_FILES: FileLimits = { maxCount: 10, maxBytes: Number.POSITIVE_INFINITY };

/** The query string's parameters (the last of a repeated name wins). */
export const queryOf = (event: APIGatewayProxyEventV2): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(event.rawQueryString ?? ''));

export function requestBody(event: APIGatewayProxyEventV2): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

function addField(target: Record<string, string>, name: string, value: string): void {
  if (Object.hasOwn(target, name)) throw invalidInput(`field ${name} is given more than once`);
  target[name] = value;
}

function parseMultipart(contentType: string, body: Buffer, fileLimits: FileLimits): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: Record<string, UploadedFile> = {};
    const limits = {
      ...FIELD_LIMITS,
      files: fileLimits.maxCount,
      fileSize: fileLimits.maxBytes,
      parts: FIELD_LIMITS.fields + fileLimits.maxCount,
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits, defParamCharset: 'utf8' });
    } catch (error) {
      reject(invalidInput(`malformed multipart body: ${(error as Error).message}`));
      return;
    }
    const fail = (message: string) => reject(invalidInput(`malformed multipart body: ${message}`));
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(`field ${name} is longer than ${limits.fieldSize} bytes`);
      try {
        addField(fields, name, value);
      } catch (error) {
        reject(error);
      }
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => reject(invalidInput(`file ${name} is larger than ${limits.fileSize} bytes`)));
      stream.on('error', (error: Error) => fail(error.message));
      stream.on('end', () => {
        if (Object.hasOwn(files, name)) return reject(invalidInput(`file ${name} is given more than once`));
        files[name] = { filename: info.filename ?? '', contentType: info.mimeType, data: Buffer.concat(chunks) };
      });
    });
    parser.on('partsLimit', () => fail(`more than ${limits.parts} parts`));
    parser.on('filesLimit', () => fail(`more than ${limits.files} files`));
    parser.on('fieldsLimit', () => fail(`more than ${limits.fields} fields`));
    parser.on('error', (error: Error) => fail(error.message));
    parser.on('close', () => resolve({ fields, files }));
    parser.end(body);
  });
}

function parseJson(body: Buffer): ParsedForm {
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(readJsonObject(body))) {
    if (typeof field === 'string') fields[name] = field;
    else if (typeof field === 'number' || typeof field === 'boolean') fields[name] = String(field);
    else if (field !== null) throw invalidInput(`field ${name} must be a string or a number`);
  }
  return { fields, files: {} };
}

function parseUrlEncoded(text: string): ParsedForm {
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(text)) addField(fields, name, value);
  return { fields, files: {} };
}

/**
 * Reads the fields of a request from its query string and its body, whichever encoding the body
 * uses (multipart, urlencoded or JSON), so clients may send the original API's fields any way
 * they already do. A field in the body wins over the same field in the query.
 */
export async function parseForm(event: APIGatewayProxyEventV2, fileLimits: FileLimits = UNDECLARED_FILES): Promise<ParsedForm> {
  const query = parseUrlEncoded(event.rawQueryString ?? '');
  const body = requestBody(event);
  if (body.length === 0) return query;
  const contentType = event.headers?.['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  let parsed: ParsedForm;
  if (mediaType === 'multipart/form-data') parsed = await parseMultipart(contentType, body, fileLimits);
  else if (mediaType === 'application/x-www-form-urlencoded') parsed = parseUrlEncoded(body.toString('utf8'));
  else if (mediaType === 'application/json') parsed = parseJson(body);
  else throw invalidInput(`unsupported content type "${mediaType || 'none'}": send multipart/form-data, urlencoded or JSON`);
  return { fields: { ...query.fields, ...parsed.fields }, files: parsed.files };
}

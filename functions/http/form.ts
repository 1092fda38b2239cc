import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { invalidInput, isTesseraError, tooLarge, type TesseraError } from '../core/errors.ts';
import type { UploadedFile } from '../core/uploaded-file.ts';
import { bodyStreamOf, hasBodyStream, readBody, spoolerOf } from './body-stream.ts';
import { readJsonObject } from './json-body.ts';

export type { UploadedFile };

/** Writes a file part's bytes, as they arrive, to a staging object the request owns (server/). */
export type Spooler = (content: Readable) => Promise<{ readonly key: string; readonly size: number }>;

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

/**
 * A file part up to this size is held in memory. A larger one, in a streamed body, is spooled to
 * a staging object as it arrives (memory stays bounded whatever the file), so its fields may come
 * before or after it, as each client sends them.
 */
export const HELD_FILE_BYTES = 8 * 1024 * 1024;

const FIELD_LIMITS = { fields: 200, fieldSize: 64 * 1024 };
/** For routes that declare no files: what arrives is read (the request's own size bounds it) and ignored. */
const UNDECLARED_FILES: FileLimits = { maxCount: 10, maxBytes: Number.POSITIVE_INFINITY };

/** The query string's parameters (the last of a repeated name wins). */
export const queryOf = (event: APIGatewayProxyEventV2): Record<string, string> =>
  Object.fromEntries(new URLSearchParams(event.rawQueryString ?? ''));

/**
 * Fields and files are collected in plain objects, where assigning `__proto__` replaces the
 * object's prototype instead of adding a property: a file part so named would make `files.data`
 * read its bytes. No API Tessera speaks has such a field, so the name is refused, wherever it comes.
 */
function checkPartName(name: string): void {
  if (name === '__proto__') throw invalidInput('a field or file may not be named __proto__');
}

function addField(target: Record<string, string>, name: string, value: string): void {
  checkPartName(name);
  if (Object.hasOwn(target, name)) throw invalidInput(`field ${name} is given more than once`);
  target[name] = value;
}

const malformed = (message: string) => invalidInput(`malformed multipart body: ${message}`);

/**
 * Reads a multipart body as it arrives: fields, and files held or (past HELD_FILE_BYTES, when a
 * spooler is given) spooled. Resolves when every part is read and every spool written.
 */
function parseMultipart(contentType: string, body: Readable, fileLimits: FileLimits, spool?: Spooler): Promise<ParsedForm> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: Record<string, UploadedFile> = {};
    const spools: Array<Promise<unknown>> = [];
    const spooling: PassThrough[] = [];
    const named = new Set<string>();
    const limits = {
      ...FIELD_LIMITS,
      files: fileLimits.maxCount,
      fileSize: fileLimits.maxBytes,
      parts: FIELD_LIMITS.fields + fileLimits.maxCount,
    };
    let failed = false;
    const fail = (error: TesseraError) => {
      if (failed) return;
      failed = true;
      for (const out of spooling) out.destroy(error);
      reject(error);
      body.unpipe();
      body.resume();
    };
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: { 'content-type': contentType }, limits, defParamCharset: 'utf8' });
    } catch (error) {
      reject(malformed((error as Error).message));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(malformed(`field ${name} is longer than ${limits.fieldSize} bytes`));
      try {
        addField(fields, name, value);
      } catch (error) {
        fail(error as TesseraError);
      }
    });
    parser.on('file', (name, stream, info) => {
      const filename = info.filename ?? '';
      try {
        checkPartName(name);
      } catch (error) {
        stream.resume();
        return fail(error as TesseraError);
      }
      if (named.has(name)) fail(invalidInput(`file ${name} is given more than once`));
      named.add(name);
      const held: Buffer[] = [];
      let size = 0;
      let out: PassThrough | undefined;
      stream.on('data', (chunk: Buffer) => {
        if (out) {
          if (!out.write(chunk)) {
            stream.pause();
            out.once('drain', () => stream.resume());
          }
          return;
        }
        held.push(chunk);
        size += chunk.length;
        if (size <= HELD_FILE_BYTES || !spool) return;
        out = new PassThrough({ highWaterMark: 1024 * 1024 });
        spooling.push(out);
        out.write(Buffer.concat(held.splice(0)));
        const spooled = spool(out).then(
          (staged) => void (files[name] = { kind: 'spooled', filename, contentType: info.mimeType, ...staged }),
          (error: unknown) => fail(isTesseraError(error) ? error : malformed((error as Error).message)),
        );
        spools.push(spooled);
      });
      stream.on('limit', () => fail(tooLarge(`file ${name} is larger than ${limits.fileSize} bytes`)));
      stream.on('error', (error: Error) => fail(malformed(error.message)));
      stream.on('end', () => {
        if (out) out.end();
        else files[name] = { kind: 'held', filename, contentType: info.mimeType, data: Buffer.concat(held) };
      });
    });
    parser.on('partsLimit', () => fail(malformed(`more than ${limits.parts} parts`)));
    parser.on('filesLimit', () => fail(malformed(`more than ${limits.files} files`)));
    parser.on('fieldsLimit', () => fail(malformed(`more than ${limits.fields} fields`)));
    parser.on('error', (error: Error) => fail(malformed(error.message)));
    parser.on('close', () => {
      void Promise.all(spools).then(() => {
        if (!failed) resolve({ fields, files });
      });
    });
    body.on('error', (error: Error) => fail(isTesseraError(error) ? error : malformed(error.message)));
    body.pipe(parser);
  });
}

function parseJson(body: Buffer): ParsedForm {
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(readJsonObject(body))) {
    checkPartName(name);
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

/** Whether the request has no body at all. */
const bodyless = (event: APIGatewayProxyEventV2) => (hasBodyStream(event) ? event.headers?.['content-length'] === '0' : !event.body);

/**
 * Reads the fields of a request from its query string and its body, whichever encoding the body
 * uses (multipart, urlencoded or JSON), so clients may send the original API's fields any way
 * they already do. A field in the body wins over the same field in the query.
 */
export async function parseForm(event: APIGatewayProxyEventV2, fileLimits: FileLimits = UNDECLARED_FILES): Promise<ParsedForm> {
  const query = parseUrlEncoded(event.rawQueryString ?? '');
  if (bodyless(event)) return query;
  const contentType = event.headers?.['content-type'] ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  let parsed: ParsedForm;
  if (mediaType === 'multipart/form-data') parsed = await parseMultipart(contentType, bodyStreamOf(event), fileLimits, spoolerOf(event));
  else {
    const body = await readBody(event);
    if (body.length === 0) return query;
    if (mediaType === 'application/x-www-form-urlencoded') parsed = parseUrlEncoded(body.toString('utf8'));
    else if (mediaType === 'application/json') parsed = parseJson(body);
    else throw invalidInput(`unsupported content type "${mediaType || 'none'}": send multipart/form-data, urlencoded or JSON`);
  }
  return { fields: { ...query.fields, ...parsed.fields }, files: parsed.files };
}

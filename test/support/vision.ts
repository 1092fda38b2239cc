import assert from 'node:assert/strict';
import { multipart, type FormFile } from './local-stack.ts';

/** What VK Cloud Vision answers: the envelope, with the HTTP status mirrored. */
export interface VisionAnswer {
  readonly httpStatus: number;
  readonly status: number;
  readonly body: unknown;
  readonly raw: Record<string, unknown>;
}

export type PersonsMethod = 'set' | 'recognize' | 'delete' | 'truncate';
export type PersonsImages = Record<string, Buffer | FormFile>;
export interface PersonsOptions {
  readonly provider?: string;
  readonly rawMeta?: string;
}

/**
 * A persons client that sends what VK's examples send: POST multipart, `meta` as a JSON field,
 * images as file parts named as meta names them, the token in the query.
 */
export async function persons(
  baseUrl: string,
  method: PersonsMethod,
  token: string | undefined,
  meta: unknown,
  images: PersonsImages = {},
  options: PersonsOptions = {},
): Promise<VisionAnswer> {
  const query = new URLSearchParams();
  if (token !== undefined) query.set('oauth_token', token);
  query.set('oauth_provider', options.provider ?? 'mcs');
  const fields: Record<string, string | FormFile> = {};
  if (options.rawMeta !== undefined || meta !== undefined) fields.meta = options.rawMeta ?? JSON.stringify(meta);
  for (const [name, image] of Object.entries(images))
    fields[name] = Buffer.isBuffer(image) ? { data: image, filename: `${name}.jpg`, type: 'image/jpeg' } : image;
  const response = await fetch(`${baseUrl}/api/v1/persons/${method}?${query}`, { method: 'POST', body: multipart(fields) });
  const raw = (await response.json()) as Record<string, unknown>;
  assert.equal(raw.htmlencoded, false);
  assert.equal(raw.last_modified, 0);
  assert.equal(raw.status, response.status, 'the HTTP status mirrors the envelope status');
  return { httpStatus: response.status, status: raw.status as number, body: raw.body, raw };
}

/** A 200 whose objects are returned, in order. */
export function objectsOf(answer: VisionAnswer): Array<Record<string, unknown>> {
  assert.equal(answer.status, 200, JSON.stringify(answer.raw));
  return (answer.body as { objects: Array<Record<string, unknown>> }).objects;
}

import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import type { UploadedFile } from '../http/form.ts';
import type { FileContent } from '../services/file-service.ts';

/** A field that must be present and not empty. */
export const requiredText = (name: string) => z.string({ error: `${name} is required` }).check(z.minLength(1, `${name} is required`));

/** `overwrite` is 0 or 1, default 0; anything else is refused rather than guessed at. */
export const overwriteField = z.optional(z.enum(['', '0', '1'], { error: 'overwrite must be 0 or 1' }));
export const overwriteFlag = (value: string | undefined): boolean => value === '1';

/** The fields every storage request carries: the credential (checked before the route's own fields). */
export const credentials = { secret_key: z.optional(z.string()) };

/** `filedata` (a file part) or `source` (a URL); `source` wins when both are sent, as in the seed. */
export const contentFields = { source: z.optional(z.string()), filedata: z.optional(z.string()) };

/** One file part, `filedata`, of any size the request can carry. */
export const FILEDATA = { maxCount: 1, maxBytes: Number.POSITIVE_INFINITY } as const;

export function contentOf(fields: { source?: string; filedata?: string }, files: Readonly<Record<string, UploadedFile>>): FileContent {
  if (fields.source) return { kind: 'url', url: fields.source };
  const file = files.filedata;
  if (file?.kind === 'held') return { kind: 'bytes', data: file.data, contentType: file.contentType };
  if (file) return { kind: 'staged', key: file.key, contentType: file.contentType };
  if (fields.filedata !== undefined) throw invalidInput('filedata must be sent as a file part of a multipart/form-data body');
  throw invalidInput('filedata or source is required');
}

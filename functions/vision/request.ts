import * as z from 'zod/mini';
import type { UploadedFile } from '../http/form.ts';
import { MAX_IMAGE_BYTES, MAX_IMAGES, readMeta, type Meta } from './meta.ts';

/** Every persons route: a multipart form whose `meta` part is JSON, and up to 100 images of up to 15 MiB. */
export const personsBody = {
  form: z.object({ meta: z.optional(z.string()) }),
  // One more than the images, for a client that sends meta as a file part.
  files: { maxCount: MAX_IMAGES + 1, maxBytes: MAX_IMAGE_BYTES },
};

/** meta as a field, or as a file part (what a client gets from `files={'meta': …}`). */
function metaText(body: { meta?: string }, files: Readonly<Record<string, UploadedFile>>): string | undefined {
  if (body.meta !== undefined) return body.meta;
  const part = files.meta;
  return part?.kind === 'held' ? part.data.toString('utf8') : undefined;
}

/** The request's meta, with the image parts it sent (in order) for a meta that lists none. */
export const personsMeta = (body: { meta?: string }, files: Readonly<Record<string, UploadedFile>>, images: 'required' | 'none'): Meta =>
  readMeta(
    metaText(body, files),
    images,
    Object.keys(files).filter((name) => name !== 'meta'),
  );

/** Per-image outcomes as VK writes them: `{status, name}` and `error` when it failed. */
export function objectOf(name: string, outcome: { status: 0 | 1 | 2; error?: string }): Record<string, unknown> {
  return outcome.status === 0 ? { status: 0, name } : { status: outcome.status, error: outcome.error, name };
}

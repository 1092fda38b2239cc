import * as z from 'zod/mini';
import { describeFile } from '../services/file-service.ts';
import { storageDialect } from './dialect.ts';
import { storageOk } from './envelope.ts';
import { credentials, requiredText } from './fields.ts';

/** GET|POST /get_file_info: size, type, ETag, last modified, a download URL, and image dimensions. */
export const route = storageDialect.route(
  {
    summary: "Describe a stored file: size, type, ETag, last modified, a download URL, an image's dimensions",
    body: { form: z.object({ ...credentials, filename: requiredText('filename') }) },
  },
  async ({ client, body }) => storageOk(await describeFile(client, body.filename)),
);

export const handler = route.handler;

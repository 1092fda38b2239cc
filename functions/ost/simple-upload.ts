import * as z from 'zod/mini';
import { slicedUpload } from '../services/sliced-upload.ts';
import { ostDialect } from './dialect.ts';
import { ostOk } from './envelope.ts';
import { common, DATA_FILE } from './request.ts';

/** POST /file/upload: multipart `app_id`, `request_id`, `data` (file) → `{url}`. */
export const route = ostDialect.route(
  { summary: 'Upload a whole file in one request', body: { form: z.object(common), files: DATA_FILE } },
  async ({ client, files }) => {
    const file = files.data!;
    return ostOk('0002', { url: await slicedUpload.uploadWhole(client, file) });
  },
);

export const handler = route.handler;

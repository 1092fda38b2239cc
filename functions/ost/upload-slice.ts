import * as z from 'zod/mini';
import { slicedUpload } from '../services/sliced-upload.ts';
import { ostDialect } from './dialect.ts';
import { ostOk } from './envelope.ts';
import { DATA_FILE, sessionFields, sliceIdField } from './request.ts';

/** POST /file/mpupload/upload: one proxied slice (multipart `upload_id`, `slice_id`, `data`), any part order. */
export const route = ostDialect.route(
  {
    summary: 'Send one slice through the API (proxied; at most 4 MiB)',
    body: { form: z.object({ ...sessionFields, slice_id: sliceIdField }), files: DATA_FILE },
  },
  async ({ client, body, files }) => {
    await slicedUpload.uploadSlice(client, body.upload_id, body.slice_id, files.data!);
    return ostOk('0006');
  },
);

export const handler = route.handler;

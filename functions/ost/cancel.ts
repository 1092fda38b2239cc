import * as z from 'zod/mini';
import { slicedUpload } from '../services/sliced-upload.ts';
import { ostDialect } from './dialect.ts';
import { ostOk } from './envelope.ts';
import { sessionFields } from './request.ts';

/** POST /file/mpupload/cancel: aborts the S3 upload and removes staged slices. */
export const route = ostDialect.route(
  { summary: 'Cancel a sliced upload', body: { json: z.object(sessionFields) } },
  async ({ client, body }) => {
    await slicedUpload.cancel(client, body.upload_id);
    return ostOk('000c');
  },
);

export const handler = route.handler;

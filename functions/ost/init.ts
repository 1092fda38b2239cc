import * as z from 'zod/mini';
import { slicedUpload } from '../services/sliced-upload.ts';
import { ostDialect } from './dialect.ts';
import { ostOk } from './envelope.ts';
import { common } from './request.ts';

/** POST /file/mpupload/init → `{upload_id}`: a session backed by an S3 multipart upload. */
export const route = ostDialect.route(
  {
    summary: 'Open a sliced upload',
    // file_name is Tessera's extension: the last segment of the stored key (default "data").
    body: { json: z.object({ ...common, file_name: z.optional(z.string().check(z.maxLength(255))) }) },
  },
  async ({ client, body }) => ostOk('0004', { upload_id: await slicedUpload.init(client, body.file_name) }),
);

export const handler = route.handler;

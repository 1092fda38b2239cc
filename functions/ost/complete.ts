import * as z from 'zod/mini';
import { MAX_SLICE_ID } from '../core/slices.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { ostDialect } from './dialect.ts';
import { ostOk } from './envelope.ts';
import { sessionFields, sliceIdNumber } from './request.ts';

// parts is Tessera's extension, needed only for presigned slices: the ETag S3 gave each PUT.
const CompleteRequest = z.object({
  ...sessionFields,
  parts: z.optional(
    z
      .array(z.object({ slice_id: sliceIdNumber, etag: z.string().check(z.minLength(1), z.maxLength(128)) }))
      .check(z.maxLength(MAX_SLICE_ID)),
  ),
});

/** POST /file/mpupload/complete → `{url}`: the object is exactly the slices 1..N in order. */
export const route = ostDialect.route(
  { summary: 'Complete a sliced upload: the file is its slices 1..N in order', body: { json: CompleteRequest } },
  async ({ client, body }) => {
    const reported = body.parts?.map((part) => ({ partNumber: part.slice_id, etag: part.etag }));
    return ostOk('0008', { url: await slicedUpload.complete(client, body.upload_id, reported) });
  },
);

export const handler = route.handler;

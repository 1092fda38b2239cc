import * as z from 'zod/mini';
import { MAX_SLICE_ID, MIN_SLICE_ID } from '../core/slices.ts';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';
import { readJson, sessionFields } from './request.ts';

// parts is Tessera's extension, needed only for presigned slices: the ETag S3 gave each PUT.
const CompleteRequest = z.object({
  ...sessionFields,
  parts: z.optional(
    z
      .array(
        z.object({
          slice_id: z.int().check(z.gte(MIN_SLICE_ID), z.lte(MAX_SLICE_ID)),
          etag: z.string().check(z.minLength(1), z.maxLength(128)),
        }),
      )
      .check(z.maxLength(MAX_SLICE_ID)),
  ),
});

/** POST /file/mpupload/complete → `{url}`: the object is exactly the slices 1..N in order. */
export const handler = httpHandler(async (event) => {
  const body = readJson(event, CompleteRequest);
  const client = await authenticateXfyun(event, body.app_id);
  const reported = body.parts?.map((part) => ({ partNumber: part.slice_id, etag: part.etag }));
  return ostOk('0008', { url: await slicedUpload.complete(client, body.upload_id, reported) });
}, ostError('0008'));

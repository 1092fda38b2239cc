import * as z from 'zod/mini';
import { MAX_SLICE_ID, MIN_SLICE_ID } from '../core/slices.ts';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';
import { readJson, sessionFields } from './request.ts';

const SLICE_ID_RANGE = `slice_id must be an integer from ${MIN_SLICE_ID} to ${MAX_SLICE_ID}`;

const PresignRequest = z.object({
  ...sessionFields,
  slices: z
    .array(
      z.object({
        slice_id: z.int().check(z.gte(MIN_SLICE_ID, SLICE_ID_RANGE), z.lte(MAX_SLICE_ID, SLICE_ID_RANGE)),
        size: z.int().check(z.positive('size must be a positive number of bytes')),
      }),
      { error: 'slices is required: [{slice_id, size}, …]' },
    )
    .check(z.minLength(1, 'slices is required: [{slice_id, size}, …]')),
});

/**
 * POST /file/mpupload/presign (Tessera's extension): presigned UploadPart URLs, so slices of
 * 5 MiB–5 GiB go straight to S3. Answers `{urls: [{slice_id, url, expires_at}]}`; the client
 * PUTs each slice with exactly the declared size and keeps the ETag header for complete.
 */
export const handler = httpHandler(async (event) => {
  const body = readJson(event, PresignRequest);
  const client = await authenticateXfyun(event, body.app_id);
  const urls = await slicedUpload.presign(
    client,
    body.upload_id,
    body.slices.map((slice) => ({ sliceId: slice.slice_id, size: slice.size })),
  );
  return ostOk('000e', { urls: urls.map((entry) => ({ slice_id: entry.sliceId, url: entry.url, expires_at: entry.expiresAt })) });
}, ostError('000e'));

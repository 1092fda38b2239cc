import * as z from 'zod/mini';
import { slicedUpload } from '../services/sliced-upload.ts';
import { ostDialect } from './dialect.ts';
import { ostOk } from './envelope.ts';
import { sessionFields, sliceIdNumber } from './request.ts';

const SLICES_REQUIRED = 'slices is required: [{slice_id, size}, …]';

const PresignRequest = z.object({
  ...sessionFields,
  slices: z
    .array(z.object({ slice_id: sliceIdNumber, size: z.int().check(z.positive('size must be a positive number of bytes')) }), {
      error: SLICES_REQUIRED,
    })
    .check(z.minLength(1, SLICES_REQUIRED)),
});

/**
 * POST /file/mpupload/presign (Tessera's extension): presigned UploadPart URLs, so slices of
 * 5 MiB–5 GiB go straight to S3. Answers `{urls: [{slice_id, url, expires_at}]}`; the client
 * PUTs each slice with exactly the declared size and keeps the ETag header for complete.
 */
export const route = ostDialect.route(
  { summary: 'Presigned URLs to PUT slices of 5 MiB–5 GiB straight to S3 (Tessera extension)', body: { json: PresignRequest } },
  async ({ client, body }) => {
    const urls = await slicedUpload.presign(
      client,
      body.upload_id,
      body.slices.map((slice) => ({ sliceId: slice.slice_id, size: slice.size })),
    );
    return ostOk('000e', { urls: urls.map((entry) => ({ slice_id: entry.sliceId, url: entry.url, expires_at: entry.expiresAt })) });
  },
);

export const handler = route.handler;

import * as z from 'zod/mini';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';
import { readJson, sessionFields } from './request.ts';

/** POST /file/mpupload/cancel: aborts the S3 upload and removes staged slices. */
export const handler = httpHandler(async (event) => {
  const body = readJson(event, z.object(sessionFields));
  const client = await authenticateXfyun(event, body.app_id);
  await slicedUpload.cancel(client, body.upload_id);
  return ostOk('000c');
}, ostError('000c'));

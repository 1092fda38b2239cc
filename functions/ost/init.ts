import * as z from 'zod/mini';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';
import { common, readJson } from './request.ts';

// file_name is Tessera's extension: the last segment of the stored key (default "data").
const InitRequest = z.object({ ...common, file_name: z.optional(z.string().check(z.maxLength(255))) });

/** POST /file/mpupload/init → `{upload_id}`: a session backed by an S3 multipart upload. */
export const handler = httpHandler(async (event) => {
  const body = readJson(event, InitRequest);
  const client = await authenticateXfyun(event, body.app_id);
  return ostOk('0004', { upload_id: await slicedUpload.init(client, body.file_name) });
}, ostError('0004'));

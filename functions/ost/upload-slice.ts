import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { parseSliceId } from '../core/slices.ts';
import { parseForm } from '../http/form.ts';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';
import { readFields, sessionFields } from './request.ts';

/** POST /file/mpupload/upload: one proxied slice (multipart `upload_id`, `slice_id`, `data`), any part order. */
export const handler = httpHandler(async (event) => {
  const { fields, files } = await parseForm(event);
  const body = readFields(fields, z.object(sessionFields));
  const client = await authenticateXfyun(event, body.app_id);
  const sliceId = parseSliceId(fields.slice_id);
  const data = files.data;
  if (!data) throw invalidInput('data is required, as a file part');
  await slicedUpload.uploadSlice(client, body.upload_id, sliceId, data.data);
  return ostOk('0006');
}, ostError('0006'));

import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { parseForm } from '../http/form.ts';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';
import { common, readFields } from './request.ts';

/** POST /file/upload: multipart `app_id`, `request_id`, `data` (file) → `{url}`. */
export const handler = httpHandler(async (event) => {
  const { fields, files } = await parseForm(event);
  const body = readFields(fields, z.object(common));
  const client = await authenticateXfyun(event, body.app_id);
  const file = files.data;
  if (!file) throw invalidInput('data is required, as a file part');
  const url = await slicedUpload.uploadWhole(client, file.filename, file.data, file.contentType);
  return ostOk('0002', { url });
}, ostError('0002'));

import { invalidInput } from '../core/errors.ts';
import { parseSliceId } from '../core/slices.ts';
import { parseForm } from '../http/form.ts';
import { httpHandler } from '../http/http-handler.ts';
import { slicedUpload } from '../services/sliced-upload.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, ostOk } from './envelope.ts';

/** POST /file/mpupload/upload: one proxied slice (multipart `upload_id`, `slice_id`, `data`), any part order. */
export const handler = httpHandler(async (event) => {
  const { fields, files } = await parseForm(event);
  const client = await authenticateXfyun(event, fields.app_id);
  if (!fields.request_id) throw invalidInput('request_id is required');
  if (!fields.upload_id) throw invalidInput('upload_id is required');
  const sliceId = parseSliceId(fields.slice_id);
  const data = files.data;
  if (!data) throw invalidInput('data is required, as a file part');
  await slicedUpload.uploadSlice(client, fields.upload_id, sliceId, data.data);
  return ostOk('0006');
}, ostError('0006'));

import { httpHandler } from '../http/http-handler.ts';
import { parseForm } from '../http/form.ts';
import { describeFile } from '../services/file-service.ts';
import { storageError, storageOk } from './envelope.ts';
import { authenticateBySecret, requiredField } from './fields.ts';

/** GET|POST /get_file_info: size, type, ETag, last modified, a download URL, and image dimensions. */
export const handler = httpHandler(async (event) => {
  const { fields } = await parseForm(event);
  const client = await authenticateBySecret(fields);
  return storageOk(await describeFile(client, requiredField(fields, 'filename')));
}, storageError);

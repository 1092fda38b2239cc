import { httpHandler } from '../http/http-handler.ts';
import { parseForm } from '../http/form.ts';
import { storeFile } from '../services/file-service.ts';
import { storageError, storageOk } from './envelope.ts';
import { authenticateBySecret, contentOf, overwriteFlag, requiredField } from './fields.ts';

/** POST /upload: `filedata` (a file part) or `source` (a URL; wins when both are sent). */
export const handler = httpHandler(async (event) => {
  const { fields, files } = await parseForm(event);
  const client = await authenticateBySecret(fields);
  const filename = requiredField(fields, 'filename');
  const overwrite = overwriteFlag(fields);
  await storeFile({ client, filename, overwrite, content: contentOf(fields, files) });
  return storageOk('OK');
}, storageError);

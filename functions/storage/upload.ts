import { httpHandler } from '../http/http-handler.ts';
import { parseForm, type ParsedForm } from '../http/form.ts';
import { storeFile, type FileContent } from '../services/file-service.ts';
import { invalidInput } from '../core/errors.ts';
import { storageError, storageOk } from './envelope.ts';
import { authenticateBySecret, overwriteFlag, requiredField } from './fields.ts';

/** POST /upload: `filedata` (a file part) or `source` (a URL; wins when both are sent). */
export const handler = httpHandler(async (event) => {
  const { fields, files } = await parseForm(event);
  const client = await authenticateBySecret(fields);
  const filename = requiredField(fields, 'filename');
  const overwrite = overwriteFlag(fields);
  await storeFile({ client, filename, overwrite, content: contentOf(fields, files) });
  return storageOk('OK');
}, storageError);

/** `source` wins over `filedata` when both are sent, as in the seed. */
export function contentOf(fields: ParsedForm['fields'], files: ParsedForm['files']): FileContent {
  if (fields.source) return { kind: 'url', url: fields.source };
  const file = files.filedata;
  if (file) return { kind: 'bytes', data: file.data, contentType: file.contentType };
  if (fields.filedata !== undefined) throw invalidInput('filedata must be sent as a file part of a multipart/form-data body');
  throw invalidInput('filedata or source is required');
}

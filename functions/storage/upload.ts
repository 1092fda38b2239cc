import * as z from 'zod/mini';
import { storeFile } from '../services/file-service.ts';
import { storageDialect } from './dialect.ts';
import { storageOk } from './envelope.ts';
import { contentFields, contentOf, credentials, FILEDATA, overwriteField, overwriteFlag, requiredText } from './fields.ts';

/** POST /upload: `filedata` (a file part) or `source` (a URL; wins when both are sent). */
export const route = storageDialect.route(
  {
    summary: "Store a file under a name in one of the client's namespaces",
    body: {
      form: z.object({ ...credentials, filename: requiredText('filename'), overwrite: overwriteField, ...contentFields }),
      files: FILEDATA,
    },
  },
  async ({ client, body, files }) => {
    await storeFile({ client, filename: body.filename, overwrite: overwriteFlag(body.overwrite), content: contentOf(body, files) });
    return storageOk('OK');
  },
);

export const handler = route.handler;

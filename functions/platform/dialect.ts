import { defineDialect } from '../http/kit.ts';
import { jsonResult } from '../http/http-handler.ts';

/** Tessera's own routes (health, the API document): no credentials, plain JSON. */
export const platformDialect = defineDialect<undefined>({
  name: 'platform',
  renderError: () => jsonResult(500, { status: 'error' }),
});

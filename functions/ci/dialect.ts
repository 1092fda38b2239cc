import { defineDialect } from '../http/kit.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError } from './envelope.ts';
import { readRequest } from './job-request.ts';

/**
 * The ci dialect (seed 002, Tencent COS/CI): COS `q-sign-algorithm=sha1` signatures checked
 * before anything else is read, `<Request>` bodies in XML or JSON, answers `<Response>` or
 * `<Error>` in the same form.
 */
export const ciDialect = defineDialect({
  name: 'ci',
  authenticate: { after: 'request', check: (event) => authenticateCos(event) },
  renderError: ciError,
  readRequest,
});

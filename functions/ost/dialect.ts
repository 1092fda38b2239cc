import { invalidInput } from '../core/errors.ts';
import { defineDialect } from '../http/kit.ts';
import { authenticateXfyun } from './authenticate.ts';
import { ostError, routeTag } from './envelope.ts';

/**
 * The ost dialect (seed 001): JSON bodies or multipart fields, xfyun's HMAC-SHA256 headers whose
 * api_key must match the body's `app_id` (so fields are checked first), answers
 * `{code, sid, data, message}`.
 */
export const ostDialect = defineDialect({
  name: 'ost',
  authenticate: { after: 'validation', check: (event, body) => authenticateXfyun(event, (body as { app_id?: string }).app_id) },
  renderError: (error, event) => ostError(routeTag(event))(error),
  // The first problem becomes a 10001 message, naming its field when the message does not.
  validationError(issue) {
    const where = issue.path.join('.');
    return invalidInput(issue.message.includes(String(issue.path[0] ?? '')) || !where ? issue.message : `${where}: ${issue.message}`);
  },
});

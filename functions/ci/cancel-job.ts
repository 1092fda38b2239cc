import { invalidInput } from '../core/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { authenticateCos, queryOf } from './authenticate.ts';
import { ciError } from './envelope.ts';

/** PUT /jobs/<id>[,<id>…]?cancel: cancels jobs that have not started; 200 with no body. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  if (!('cancel' in queryOf(event))) throw invalidInput('PUT /jobs/<id> needs the ?cancel parameter');
  const ids = (event.pathParameters?.ids ?? '').split(',').filter(Boolean);
  if (ids.length === 0 || ids.length > 10) throw invalidInput('name 1 to 10 job ids');
  for (const id of ids) await picJobs.cancel(client, id);
  return { statusCode: 200, headers: { 'x-ci-request-id': event.requestContext.requestId, 'content-length': '0' }, body: '' };
}, ciError);

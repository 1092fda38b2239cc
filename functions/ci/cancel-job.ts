import * as z from 'zod/mini';
import { picJobs } from '../services/pic-jobs.ts';
import { jobIds } from './describe-jobs.ts';
import { ciDialect } from './dialect.ts';

/** PUT /jobs/<id>[,<id>…]?cancel: cancels jobs that have not started; 200 with no body. */
export const route = ciDialect.route(
  {
    summary: 'Cancel jobs that have not started',
    // Tencent's own cancel names the action in the query: `?cancel`.
    query: z.object({ cancel: z.string({ error: 'PUT /jobs/<id> needs the ?cancel parameter' }) }),
    path: z.object({ ids: jobIds({ none: 'name 1 to 10 job ids', tooMany: 'name 1 to 10 job ids' }) }),
  },
  async ({ event, client, path }) => {
    for (const id of path.ids) await picJobs.cancel(client, id);
    return { statusCode: 200, headers: { 'x-ci-request-id': event.requestContext.requestId, 'content-length': '0' }, body: '' };
  },
);

export const handler = route.handler;

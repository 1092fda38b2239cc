import * as z from 'zod/mini';
import { picJobs } from '../services/pic-jobs.ts';
import { jobIds } from './describe-jobs.ts';
import { ciDialect } from './dialect.ts';
import { requestIdHeaders } from './envelope.ts';

/**
 * PUT /jobs/<id>[,<id>…]?cancel: cancels jobs that have not started; 200 with no body. Tencent's
 * API names the action in the query (`?cancel`), as cos-python-sdk-v5 and cos-go-sdk-v5 send it;
 * cos-nodejs-sdk-v5's own demo (CancelMediaJob) sends the PUT without it, and cancelling is the
 * only thing a PUT to a job does, so both are a cancel.
 */
export const route = ciDialect.route(
  {
    summary: 'Cancel jobs that have not started (`?cancel`, which may be left out)',
    query: z.object({ cancel: z.optional(z.string()) }),
    path: z.object({ ids: jobIds({ none: 'name 1 to 10 job ids', tooMany: 'name 1 to 10 job ids' }) }),
  },
  async ({ event, client, path }) => {
    await picJobs.cancelAll(client, path.ids);
    return { statusCode: 200, headers: { ...requestIdHeaders(event), 'content-length': '0' }, body: '' };
  },
);

export const handler = route.handler;

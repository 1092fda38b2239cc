import * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import { conflict, notFound } from '../core/errors.ts';
import type { TaskState } from '../core/task-states.ts';
import { picJobs, type PicJob } from '../services/pic-jobs.ts';
import { jobIds } from './describe-jobs.ts';
import { ciDialect } from './dialect.ts';
import { requestIdHeaders } from './envelope.ts';

/** The states of a job that has not started: the only ones a cancel may leave. */
const WAITING: ReadonlySet<TaskState> = new Set(['PENDING', 'PAUSED']);

/**
 * Every job named, looked up and checked before any is touched, so a request with one bad id
 * changes nothing. (A job a worker starts between this check and its cancel is still refused by
 * the cancel's own conditional write.)
 */
async function cancellableJobs(client: Client, ids: readonly string[]): Promise<PicJob[]> {
  const { jobs, missing } = await picJobs.describe(client, [...new Set(ids)]);
  if (missing.length) throw notFound(`job ${missing[0]} does not exist`);
  const started = jobs.find((job) => !WAITING.has(job.state));
  if (started) {
    throw conflict(
      `job ${started.taskId} is ${started.state === 'CANCELLED' ? 'already cancelled' : 'no longer waiting'}; only jobs that have not started can be cancelled`,
    );
  }
  return jobs;
}

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
    for (const job of await cancellableJobs(client, path.ids)) await picJobs.cancel(client, job.taskId);
    return { statusCode: 200, headers: { ...requestIdHeaders(event), 'content-length': '0' }, body: '' };
  },
);

export const handler = route.handler;

import * as z from 'zod/mini';
import { picJobs } from '../services/pic-jobs.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { idList } from './fields.ts';
import { jobsDetail } from './jobs-detail.ts';

const MAX_IDS = 10;

/** `<id>[,<id>…]`, 1 to MAX_IDS of them. */
export const jobIds = (what: { none: string; tooMany: string }) =>
  z.pipe(
    z.pipe(z.optional(z.string()), z.transform(idList)),
    z.array(z.string()).check(z.minLength(1, what.none), z.maxLength(MAX_IDS, what.tooMany)),
  );

/** GET /jobs/<id>[,<id>…]: the jobs found, and NonExistJobIds for the rest (another client's included). */
export const route = ciDialect.route(
  {
    summary: 'Describe jobs by id (up to 10, comma-separated)',
    path: z.object({ ids: jobIds({ none: 'name at least one job id', tooMany: `name at most ${MAX_IDS} job ids` }) }),
  },
  async ({ event, client, path }) => {
    const { jobs, missing } = await picJobs.describe(client, path.ids);
    return ciResponse(event, 'Response', {
      ...(jobs.length ? { JobsDetail: jobs.map(jobsDetail) } : {}),
      ...(missing.length ? { NonExistJobIds: missing.join(',') } : {}),
    });
  },
);

export const handler = route.handler;

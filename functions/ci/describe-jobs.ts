import * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import type { HttpResult } from '../http/http-handler.ts';
import type { RouteRequest } from '../http/kit.ts';
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

export const describeJobsInputs = {
  path: z.object({ ids: jobIds({ none: 'name at least one job id', tooMany: `name at most ${MAX_IDS} job ids` }) }),
};

/** The jobs found, and NonExistJobIds for the rest (another client's included). */
export async function describeJobs({
  event,
  client,
  path,
}: RouteRequest<Client, z.infer<typeof describeJobsInputs.path>, unknown, unknown>): Promise<HttpResult> {
  const { jobs, missing } = await picJobs.describe(client, path.ids);
  return ciResponse(event, 'Response', {
    ...(jobs.length ? { JobsDetail: jobs.map(jobsDetail) } : {}),
    ...(missing.length ? { NonExistJobIds: missing.join(',') } : {}),
  });
}

/** GET /jobs/<id>[,<id>…] */
export const route = ciDialect.route({ summary: 'Describe jobs by id (up to 10, comma-separated)', ...describeJobsInputs }, describeJobs);

export const handler = route.handler;

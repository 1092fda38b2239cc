import { invalidInput } from '../core/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { jobsDetail } from './jobs-detail.ts';

const MAX_IDS = 10;

/** GET /jobs/<id>[,<id>…]: the jobs found, and NonExistJobIds for the rest (another client's included). */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const ids = (event.pathParameters?.ids ?? '').split(',').filter(Boolean);
  if (ids.length === 0) throw invalidInput('name at least one job id');
  if (ids.length > MAX_IDS) throw invalidInput(`name at most ${MAX_IDS} job ids`);
  const { jobs, missing } = await picJobs.describe(client, ids);
  return ciResponse(event, 'Response', {
    ...(jobs.length ? { JobsDetail: jobs.map(jobsDetail) } : {}),
    ...(missing.length ? { NonExistJobIds: missing.join(',') } : {}),
  });
}, ciError);

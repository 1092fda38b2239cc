import { notFound } from '../core/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { jobsDetail } from './jobs-detail.ts';
import { readJobRequest, readRequest } from './job-request.ts';

/** POST /jobs: a PicProcess job, validated whole (rule and input included), answered as Submitted. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const request = readJobRequest(readRequest(event));
  if (request.templateId) throw notFound(`template ${request.templateId} does not exist`);
  const job = await picJobs.submit(client, request);
  return ciResponse(event, 'Response', { JobsDetail: jobsDetail(job) });
}, ciError);

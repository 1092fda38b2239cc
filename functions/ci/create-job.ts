import { httpHandler } from '../http/http-handler.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { jobsDetail } from './jobs-detail.ts';
import { readJobRequest, readRequest } from './job-request.ts';

/** POST /jobs: a PicProcess job, validated whole (rule and input included), answered as Submitted. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const request = readJobRequest(readRequest(event));
  const template = request.templateId ? await picTemplates.require(client, request.templateId) : undefined;
  const job = await picJobs.submit(client, request, template);
  return ciResponse(event, 'Response', { JobsDetail: jobsDetail(job) });
}, ciError);

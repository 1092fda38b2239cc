import { picJobs } from '../services/pic-jobs.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { JobRequest, jobRequestOf } from './job-request.ts';
import { jobsDetail } from './jobs-detail.ts';

/** POST /jobs: a PicProcess job, validated whole (rule and input included), answered as Submitted. */
export const route = ciDialect.route(
  { summary: 'Submit a PicProcess job (an imageMogr2 rule, or a template)', body: { request: JobRequest } },
  async ({ event, client, body }) => {
    const request = jobRequestOf(body);
    const template = request.templateId ? await picTemplates.require(client, request.templateId) : undefined;
    const job = await picJobs.submit(client, request, template);
    return ciResponse(event, 'Response', { JobsDetail: jobsDetail(job) });
  },
);

export const handler = route.handler;

import type * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import type { HttpResult } from '../http/http-handler.ts';
import type { RouteRequest } from '../http/kit.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { JobRequest, jobRequestOf } from './job-request.ts';
import { jobsDetail } from './jobs-detail.ts';

export const createJobInputs = { body: { request: JobRequest } } as const;

/** A PicProcess job, validated whole (rule and input included), answered as Submitted. */
export async function createJob({
  event,
  client,
  body,
}: RouteRequest<Client, unknown, unknown, z.infer<typeof JobRequest>>): Promise<HttpResult> {
  const request = jobRequestOf(body);
  const template = request.templateId ? await picTemplates.require(client, request.templateId) : undefined;
  const job = await picJobs.submit(client, request, template);
  return ciResponse(event, 'Response', { JobsDetail: jobsDetail(job) });
}

/** POST /jobs */
export const route = ciDialect.route(
  { summary: 'Submit a PicProcess job (an imageMogr2 rule, or a template)', ...createJobInputs },
  createJob,
);

export const handler = route.handler;

import { createJob, createJobInputs } from './create-job.ts';
import { ciDialect } from './dialect.ts';

/**
 * POST /pic_jobs: the legacy path of POST /jobs (CreatePicJobs), which cos-python-sdk-v5's
 * ci_create_media_pic_jobs and cos-go-sdk-v5's CreatePicProcessJobs still send. The same request,
 * checks and answer; a QueueId in the body is not needed (each client has one queue) and not read.
 */
export const route = ciDialect.route(
  { summary: 'Submit a PicProcess job: the legacy path of POST /jobs, as the Python and Go SDKs send it', ...createJobInputs },
  createJob,
);

export const handler = route.handler;

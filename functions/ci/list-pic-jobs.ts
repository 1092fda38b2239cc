import { ciDialect } from './dialect.ts';
import { listJobs, listJobsInputs } from './list-jobs.ts';

/**
 * GET /pic_jobs?tag=PicProcess&…: the legacy path of GET /jobs (DescribePicJobs), which
 * cos-python-sdk-v5's ci_list_media_pic_jobs sends (with `states=All`, `nextToken=` and `size=10`
 * by default).
 */
export const route = ciDialect.route(
  { summary: 'List jobs: the legacy path of GET /jobs, as the Python SDK sends it', ...listJobsInputs },
  listJobs,
);

export const handler = route.handler;

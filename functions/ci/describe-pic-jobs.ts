import { describeJobs, describeJobsInputs } from './describe-jobs.ts';
import { ciDialect } from './dialect.ts';

/**
 * GET /pic_jobs/<id>[,<id>…]: the legacy path of GET /jobs/<id> (DescribePicJob), which
 * cos-python-sdk-v5's ci_get_media_pic_jobs and cos-go-sdk-v5's DescribePicProcessJob send.
 */
export const route = ciDialect.route(
  { summary: 'Describe jobs by id: the legacy path of GET /jobs/{ids}, as the Python and Go SDKs send it', ...describeJobsInputs },
  describeJobs,
);

export const handler = route.handler;

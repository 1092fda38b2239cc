import type { RenderedCallback } from '../core/tasks/callbacks.ts';
import type { CallbackState } from '../core/tasks/task.ts';
import type { PicJob } from '../services/pic-jobs.ts';
import { jobsDetail, stringifyValues } from './jobs-detail.ts';
import { toXml } from './xml.ts';

/** A finished job's callback, as Tencent sends it (reference §2.8): TaskFinish with the job's detail. */
export function renderJobCallback(job: PicJob, format: CallbackState['format']): RenderedCallback {
  const detail = jobsDetail(job);
  delete detail.CallBackResult;
  if (format === 'JSON') {
    return { body: JSON.stringify({ EventName: 'TaskFinish', JobsDetail: stringifyValues(detail) }), contentType: 'application/json' };
  }
  return { body: toXml('Response', { EventName: 'TaskFinish', JobsDetail: detail }), contentType: 'application/xml' };
}

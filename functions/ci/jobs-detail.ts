import { ciState } from '../core/task-states.ts';
import type { PicJob } from '../services/pic-jobs.ts';

/** Tencent's timestamps: `2022-07-18T15:16:43+0800`; here always UTC, `+0000`; not yet: `-`. */
export const ciTime = (iso: string | undefined) => (iso ? `${iso.slice(0, 19)}+0000` : '-');

/**
 * A job as the ci API shows it (reference/tencent-ci.md §2.2, §2.8), field order as Tencent's
 * samples. `CallBackResult` is Tessera's addition: how delivery of the callback went.
 */
export function jobsDetail(job: PicJob): Record<string, unknown> {
  const { spec } = job;
  const failed = job.error !== undefined;
  const callback = job.callback as { status?: string; attempts?: number; lastError?: string; deliveredAt?: string } | undefined;
  return {
    Code: failed ? job.error!.code : 'Success',
    Message: failed ? job.error!.message : '',
    JobId: job.taskId,
    Tag: spec.tag,
    State: ciState(job.state),
    CreationTime: ciTime(job.createdAt),
    StartTime: ciTime(job.startedAt),
    EndTime: ciTime(job.endedAt),
    QueueId: spec.queueId,
    Input: { BucketId: spec.input.bucket, Object: spec.input.object, Region: spec.input.region },
    Operation: {
      ...(spec.templateId ? { TemplateId: spec.templateId, TemplateName: spec.templateName } : { PicProcess: { IsPicInfo: String(spec.picProcess.isPicInfo), ProcessRule: spec.picProcess.processRule } }),
      Output: { Bucket: spec.output.bucket, Object: spec.output.object, Region: spec.output.region },
      ...(job.result ? { PicProcessResult: job.result } : {}),
      ...(spec.userData !== undefined ? { UserData: spec.userData } : {}),
      JobLevel: String(job.level),
    },
    ...(callback && callback.status && callback.status !== 'none'
      ? {
          CallBackResult: {
            Status: callback.status,
            Attempts: String(callback.attempts ?? 0),
            ...(callback.lastError ? { LastError: callback.lastError } : {}),
            ...(callback.deliveredAt ? { DeliveredTime: ciTime(callback.deliveredAt) } : {}),
          },
        }
      : {}),
  };
}

/**
 * The JSON callback form: every scalar a string, empty values left out, `OriginalInfo.Etag`
 * keeping its quotes (reference §2.8).
 */
export function stringifyValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyValues);
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => [key, stringifyValues(inner)] as const)
      .filter(([, inner]) => inner !== '' && inner !== undefined);
    return Object.fromEntries(entries);
  }
  return value === undefined || value === null ? '' : String(value);
}

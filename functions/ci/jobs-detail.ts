import type { CallbackState } from '../core/tasks/task.ts';
import type { PicProcessResult } from '../core/tasks/picprocess.ts';
import type { PicJob } from '../services/pic-jobs.ts';
import { ciState } from './job-states.ts';
import { queueIdOf } from './queues.ts';

/** Tencent's timestamps: `2022-07-18T15:16:43+0800`; here always UTC, `+0000`; not yet: `-`. */
export const ciTime = (iso: string | undefined) => (iso ? `${iso.slice(0, 19)}+0000` : '-');

const ciFormat = (format: string) => (format === 'jpg' ? 'JPEG' : format.toUpperCase());

/** A finished job's result as Tencent's PicProcessResult (reference §2.2): `OriginalInfo.Etag` keeps its quotes. */
function picProcessResult(job: PicJob, result: PicProcessResult): Record<string, unknown> {
  const { output, original } = result;
  return {
    ObjectName: job.spec.output.address.object,
    ...(original
      ? {
          OriginalInfo: {
            Etag: `"${original.etag}"`,
            ImageInfo: {
              Ave: original.averageColour,
              Format: ciFormat(original.format),
              Height: original.height,
              Orientation: original.orientation,
              ...(original.quality !== undefined ? { Quality: original.quality } : {}),
              Width: original.width,
            },
          },
        }
      : {}),
    ProcessResult: {
      Etag: output.etag,
      Format: ciFormat(output.format),
      Height: output.height,
      ...(output.quality !== undefined ? { Quality: output.quality } : {}),
      Size: output.size,
      Width: output.width,
    },
  };
}

function callbackResult(callback: CallbackState | undefined): Record<string, unknown> {
  if (!callback || callback.status === 'none') return {};
  return {
    CallBackResult: {
      Status: callback.status,
      Attempts: String(callback.attempts),
      ...(callback.lastError ? { LastError: callback.lastError } : {}),
      ...(callback.deliveredAt ? { DeliveredTime: ciTime(callback.deliveredAt) } : {}),
    },
  };
}

/**
 * A job as the ci API shows it (reference/tencent-ci.md §2.2, §2.8), field order as Tencent's
 * samples. `CallBackResult` is Tessera's addition: how delivery of the callback went.
 */
export function jobsDetail(job: PicJob): Record<string, unknown> {
  const { spec } = job;
  const failed = job.error !== undefined;
  return {
    Code: failed ? job.error!.code : 'Success',
    Message: failed ? job.error!.message : '',
    JobId: job.taskId,
    Tag: 'PicProcess',
    State: ciState(job.state),
    CreationTime: ciTime(job.createdAt),
    StartTime: ciTime(job.startedAt),
    EndTime: ciTime(job.endedAt),
    QueueId: queueIdOf(job),
    Input: { BucketId: spec.input.address.bucket, Object: spec.input.address.object, Region: spec.input.address.region },
    Operation: {
      ...(spec.template
        ? { TemplateId: spec.template.id, TemplateName: spec.template.name }
        : { PicProcess: { IsPicInfo: String(spec.describeOriginal), ProcessRule: spec.rule } }),
      Output: { Bucket: spec.output.address.bucket, Object: spec.output.address.object, Region: spec.output.address.region },
      ...(job.result ? { PicProcessResult: picProcessResult(job, job.result) } : {}),
      ...(spec.userData !== undefined ? { UserData: spec.userData } : {}),
      JobLevel: String(job.level),
    },
    ...callbackResult(job.callback),
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

import type { Client, CosBucket } from '../core/client.ts';
import { conflict, forbidden, invalidInput, notFound } from '../core/errors.ts';
import { readImageHeader } from '../core/imagemogr2/image-header.ts';
import { predictOutputs } from '../core/imagemogr2/predict.ts';
import { parseRule } from '../core/imagemogr2/parse.ts';
import type { Plan } from '../core/imagemogr2/plan.ts';
import { validateObjectName } from '../core/object-name.ts';
import { allowedFrom, type TaskState } from '../core/task-states.ts';
import { newTaskId, TASK_ID_PATTERN } from '../core/task-id.ts';
import { defaultWorkspaceId } from '../core/workspaces.ts';
import type { ObjectRef, PicProcessSpec } from '../core/tasks/picprocess.ts';
import { isKind, type JobLevel, type Task } from '../core/tasks/task.ts';
import { objectStore } from '../adapters/object-store.ts';
import type { PicTemplate } from '../core/pic-template.ts';
import { taskStore } from '../adapters/task-store.ts';
import { enqueueTask } from './task-queue.ts';
import { checkCallbackUrl } from './callback-url.ts';
import { headerOf } from './object-headers.ts';
import { checkWatermarksExist, watermarkKeys } from './watermark-images.ts';

/** The states a job may be cancelled from: those it has not started in (the state table's). */
const CANCELLABLE: ReadonlySet<TaskState> = new Set(allowedFrom('cancel'));

export interface PicJobRequest {
  readonly inputObject: string;
  readonly output: { readonly region: string; readonly bucket: string; readonly object: string };
  readonly picProcess?: { readonly isPicInfo: boolean; readonly processRule: string };
  readonly templateId?: string;
  readonly userData?: string;
  readonly jobLevel: JobLevel;
  readonly callBack?: string;
  readonly callBackFormat: 'JSON' | 'XML';
}

export type PicJob = Task<'picprocess'>;

function cosBucket(client: Client, bucket: string, region: string): CosBucket {
  const found = (client.cosBuckets ?? []).find((entry) => entry.bucket === bucket);
  if (!found) throw forbidden(`bucket ${bucket} is not one of this client's buckets`);
  if (found.region !== region) throw invalidInput(`bucket ${bucket} is in region ${found.region}, not ${region}`);
  return found;
}

function resolve(client: Client, where: CosBucket, object: string): ObjectRef {
  const key = validateObjectName(`${where.namespace}/${object.replace(/^\//, '')}`, client.namespaces);
  return { key, address: { bucket: where.bucket, region: where.region, object } };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The input must exist; where its header shows its size, every stage's size is known now, so a
 * rule that must fail is refused here rather than after the worker's decoding. Other inputs
 * (not an image, say) fail when run.
 */
async function checkInput(input: ObjectRef, plan: Plan): Promise<void> {
  const stored = await objectStore.head(input.key);
  if (!stored) throw invalidInput(`input object ${input.address.object} does not exist`, 'ResourceNotFound');
  const header = await headerOf(input.key, stored.size, readImageHeader);
  if (header) predictOutputs(plan, header);
}

/** How a client's COS bucket names an object by key, for answers in ci's words (empty when none maps). */
function addressOf(client: Client, key: string): ObjectRef['address'] {
  const bucket = (client.cosBuckets ?? []).find((entry) => key.startsWith(`${entry.namespace}/`));
  return bucket
    ? { bucket: bucket.bucket, region: bucket.region, object: key.slice(bucket.namespace.length + 1) }
    : { bucket: '', region: '', object: key };
}

export const picJobs = {
  /** Validates everything (the rule included, on the input's size), records the job as Submitted, and queues it. */
  async submit(
    client: Client,
    request: PicJobRequest,
    template?: Pick<PicTemplate, 'templateId' | 'name' | 'isPicInfo' | 'processRule'>,
  ): Promise<PicJob> {
    const home = client.cosBuckets?.[0];
    if (!home) throw forbidden('this client has no COS bucket configured for ci jobs');
    if (!request.inputObject) throw invalidInput('Input.Object is required');
    if (!request.output.bucket || !request.output.region || !request.output.object)
      throw invalidInput('Operation.Output needs Region, Bucket and Object');
    const input = resolve(client, home, request.inputObject);
    const output = resolve(client, cosBucket(client, request.output.bucket, request.output.region), request.output.object);
    const picProcess = template ? { isPicInfo: template.isPicInfo, processRule: template.processRule } : request.picProcess;
    if (!picProcess?.processRule) throw invalidInput('Operation needs PicProcess.ProcessRule or a TemplateId');
    const plan = parseRule(picProcess.processRule);
    const overlays = watermarkKeys(client, plan);
    if (request.userData !== undefined && (request.userData.length > 1024 || !PRINTABLE_ASCII.test(request.userData))) {
      throw invalidInput('Operation.UserData must be printable ASCII, at most 1024 characters');
    }
    const queueNotify = client.picQueue?.notify.state === 'On' && client.picQueue.notify.url ? client.picQueue.notify : undefined;
    const callback =
      request.callBack === 'no'
        ? undefined
        : request.callBack
          ? { url: checkCallbackUrl(request.callBack), format: request.callBackFormat }
          : queueNotify && { url: queueNotify.url!, format: queueNotify.resultFormat };
    await checkInput(input, plan);
    await checkWatermarksExist(overlays);
    const task = await taskStore.create({
      taskId: newTaskId('j'),
      clientId: client.clientId,
      workspaceId: defaultWorkspaceId(client.clientId),
      kind: 'picprocess',
      level: request.jobLevel,
      state: 'PENDING',
      spec: {
        input,
        output,
        rule: picProcess.processRule,
        ...(Object.keys(overlays).length ? { overlays } : {}),
        describeOriginal: picProcess.isPicInfo,
        ...(template ? { template: { id: template.templateId, name: template.name } } : {}),
        ...(request.userData !== undefined ? { userData: request.userData } : {}),
      },
      ...(callback ? { callback: { ...callback, status: 'none', attempts: 0 } } : {}),
      awaitingQueue: 'job',
    });
    await enqueueTask(task);
    return task;
  },

  /**
   * A job's spec from object keys (kmp names its input and output that way), checked as a
   * submitted job's is; the input is checked again when the job starts (checkRunnable).
   */
  specFor(
    client: Client,
    work: { input: string; output: string; rule: string; describeOriginal: boolean; template?: { id: string; name: string } },
  ): PicProcessSpec {
    const overlays = watermarkKeys(client, parseRule(work.rule));
    const [input, output] = [work.input, work.output].map((name) => {
      const key = validateObjectName(name, client.namespaces);
      return { key, address: addressOf(client, key) };
    }) as [ObjectRef, ObjectRef];
    return {
      input,
      output,
      rule: work.rule,
      ...(Object.keys(overlays).length ? { overlays } : {}),
      describeOriginal: work.describeOriginal,
      ...(work.template ? { template: work.template } : {}),
    };
  },

  /** Whether a job can run now: its input and watermark images exist and its rule's output fits the limits. */
  async checkRunnable(spec: PicProcessSpec): Promise<void> {
    await checkInput(spec.input, parseRule(spec.rule));
    await checkWatermarksExist(spec.overlays);
  },

  async get(client: Client, jobId: string): Promise<PicJob | undefined> {
    if (!TASK_ID_PATTERN.test(jobId)) return undefined;
    const task = await taskStore.get({ clientId: client.clientId, taskId: jobId });
    return task && isKind(task, 'picprocess') ? task : undefined;
  },

  async describe(client: Client, jobIds: readonly string[]): Promise<{ jobs: PicJob[]; missing: string[] }> {
    const found = await Promise.all(jobIds.map(async (jobId) => ({ jobId, job: await picJobs.get(client, jobId) })));
    return {
      jobs: found.flatMap((entry) => (entry.job ? [entry.job] : [])),
      missing: found.filter((entry) => !entry.job).map((entry) => entry.jobId),
    };
  },

  /** Newest (or oldest) first, filtered, `size` at most 100, continued with nextToken. */
  async list(
    client: Client,
    filters: {
      states?: readonly TaskState[];
      size: number;
      nextToken?: string;
      oldestFirst: boolean;
      from?: Date;
      to?: Date;
      inputObject?: string;
    },
  ): Promise<{ jobs: PicJob[]; nextToken?: string }> {
    const wanted = filters.states ? new Set<TaskState>(filters.states) : undefined;
    const jobs: PicJob[] = [];
    let startKey = filters.nextToken ? decodeToken(filters.nextToken, client.clientId) : undefined;
    while (jobs.length < filters.size) {
      const page = await taskStore.listByClient(client.clientId, { limit: 100, startKey, oldestFirst: filters.oldestFirst });
      for (const task of page.tasks) {
        if (!isKind(task, 'picprocess')) continue;
        if (wanted && !wanted.has(task.state)) continue;
        const created = Date.parse(task.createdAt);
        if (filters.from && created <= filters.from.getTime()) continue;
        if (filters.to && created >= filters.to.getTime()) continue;
        if (filters.inputObject && task.spec.input.address.object !== filters.inputObject) continue;
        jobs.push(task);
        if (jobs.length === filters.size) {
          return { jobs, nextToken: encodeToken(task) };
        }
      }
      if (!page.nextKey) return { jobs };
      startKey = page.nextKey;
    }
    return { jobs };
  },

  /** Only a job that has not started can be cancelled. */
  /**
   * Cancels jobs that have not started, all or none: every job named is looked up and checked
   * before any is touched, so a request with one bad id changes nothing. (A job a worker starts
   * between the check and its cancel is still refused by the cancel's own conditional write.)
   */
  async cancelAll(client: Client, jobIds: readonly string[]): Promise<PicJob[]> {
    const { jobs, missing } = await picJobs.describe(client, [...new Set(jobIds)]);
    if (missing.length) throw notFound(`job ${missing[0]} does not exist`);
    const started = jobs.find((job) => !CANCELLABLE.has(job.state));
    if (started) {
      throw conflict(
        `job ${started.taskId} is ${started.state === 'CANCELLED' ? 'already cancelled' : 'no longer waiting'}; only jobs that have not started can be cancelled`,
      );
    }
    const cancelled: PicJob[] = [];
    for (const job of jobs) {
      cancelled.push(
        await taskStore.transition<PicJob>(job, 'cancel', { version: job.version, set: { endedAt: new Date().toISOString() } }),
      );
    }
    return cancelled;
  },
};

const encodeToken = (task: PicJob) => Buffer.from(JSON.stringify({ taskId: task.taskId })).toString('base64url');

function decodeToken(token: string, clientId: string): Record<string, unknown> {
  try {
    const { taskId } = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { taskId: unknown };
    if (typeof taskId !== 'string' || !TASK_ID_PATTERN.test(taskId)) throw new Error('bad token');
    return { clientId, taskId };
  } catch {
    throw invalidInput('nextToken is not one this API issued');
  }
}

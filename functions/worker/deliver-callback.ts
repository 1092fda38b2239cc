import { callbackKey, CALLBACK_HEADERS, signCallback } from '../core/callback-signature.ts';
import { callbackConfig, config } from '../config.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { taskStore, type Task } from '../adapters/task-store.ts';
import { postWebhook } from '../adapters/webhook-sender.ts';
import { jobsDetail, stringifyValues } from '../ci/jobs-detail.ts';
import { toXml } from '../ci/xml.ts';
import type { PicJob } from '../services/pic-jobs.ts';
import { enqueueCallback, type TaskMessage } from '../services/task-queue.ts';

export interface CallbackState {
  readonly url: string;
  readonly format: 'JSON' | 'XML';
  readonly status: 'none' | 'pending' | 'sending' | 'retrying' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly sendingUntil?: number;
  readonly lastError?: string;
  readonly deliveredAt?: string;
}

const SENDING_LEASE_MS = 60_000;

export const retryDelaySeconds = (attempts: number) => Math.min(900, callbackConfig.baseDelaySeconds() * 2 ** (attempts - 1));

function render(task: PicJob, format: CallbackState['format']): { body: string; contentType: string } {
  const detail = jobsDetail(task);
  delete detail.CallBackResult;
  if (format === 'JSON') {
    return { body: JSON.stringify({ EventName: 'TaskFinish', JobsDetail: stringifyValues(detail) }), contentType: 'application/json' };
  }
  return { body: toXml('Response', { EventName: 'TaskFinish', JobsDetail: detail }), contentType: 'application/xml' };
}

/**
 * Sends a finished job's callback once. The attempt is claimed with a conditional write first,
 * so duplicate messages never fire a delivered callback twice; a failure is recorded and retried
 * through the queue with backoff until callbackConfig.maxAttempts(), then recorded as failed.
 */
export async function deliverCallback(message: TaskMessage, now = Date.now()): Promise<void> {
  const task = (await taskStore.get(message)) as Task | undefined;
  const callback = task?.callback as CallbackState | undefined;
  if (!task || !callback || !['pending', 'retrying', 'sending'].includes(callback.status)) return;
  if (callback.status === 'sending' && (callback.sendingUntil ?? 0) > now) return;
  const sending: CallbackState = { ...callback, status: 'sending', sendingUntil: now + SENDING_LEASE_MS };
  if (!(await taskStore.updateCallback(task, callback, { ...sending }))) return;
  const claimed = await taskStore.require(task);

  const found = await clientRegistry.withSecret(task.clientId);
  const { body, contentType } = render(claimed as unknown as PicJob, callback.format);
  const timestamp = Math.floor(now / 1000);
  const outcome = found
    ? await postWebhook(
        callback.url,
        body,
        {
          'content-type': contentType,
          [CALLBACK_HEADERS.timestamp]: String(timestamp),
          [CALLBACK_HEADERS.signature]: signCallback(callbackKey(found.secret), timestamp, body),
        },
        { policy: config.outboundPolicy(), timeoutMs: callbackConfig.timeoutMs() },
      )
    : { ok: false, error: 'the client no longer exists' };

  const attempts = callback.attempts + 1;
  const { sendingUntil: _lease, ...rest } = sending;
  if (outcome.ok) {
    await taskStore.updateCallback(claimed, sending, { ...rest, status: 'delivered', attempts, deliveredAt: new Date().toISOString() });
    return;
  }
  const finalFailure = attempts >= callbackConfig.maxAttempts() || !found;
  const next: CallbackState = { ...rest, status: finalFailure ? 'failed' : 'retrying', attempts, lastError: outcome.error ?? 'unknown error' };
  if (!(await taskStore.updateCallback(claimed, sending, { ...next }, finalFailure ? {} : { awaitingQueue: 'callback' }))) return;
  if (!finalFailure) await enqueueCallback(claimed, retryDelaySeconds(attempts));
}

/** A callback message that kept failing to be handled at all: record the callback as failed. */
export async function failDeadCallback(message: TaskMessage): Promise<void> {
  const task = await taskStore.get(message);
  const callback = task?.callback as CallbackState | undefined;
  if (!task || !callback || callback.status === 'delivered' || callback.status === 'failed') return;
  await taskStore.updateCallback(task, callback, { ...callback, status: 'failed', lastError: callback.lastError ?? 'the callback could not be processed' });
}

import { callbackKey, CALLBACK_HEADERS, signCallback } from '../core/callback-signature.ts';
import type { CallbackRenderer } from '../core/tasks/callbacks.ts';
import { FINAL_STATES } from '../core/task-states.ts';
import type { CallbackState, Task } from '../core/tasks/task.ts';
import { callbackConfig, config } from '../config.ts';
import { clientRegistry } from '../adapters/client-registry.ts';
import { taskStore } from '../adapters/task-store.ts';
import { postWebhook, type WebhookOutcome } from '../adapters/webhook-sender.ts';
import { enqueueCallback, type TaskMessage } from '../services/task-queue.ts';

const SENDING_LEASE_MS = 60_000;

export const retryDelaySeconds = (attempts: number) => Math.min(900, callbackConfig.baseDelaySeconds() * 2 ** (attempts - 1));

/** One delivery attempt; `final` when trying again cannot help (the client is gone, the kind has no callback form). */
async function attempt(
  task: Task,
  callback: CallbackState,
  render: CallbackRenderer,
  now: number,
): Promise<WebhookOutcome & { final?: boolean }> {
  const found = await clientRegistry.withSecret(task.clientId);
  if (!found) return { ok: false, error: 'the client no longer exists', final: true };
  const rendered = render(task, callback.format);
  if (!rendered) return { ok: false, error: `no callback form for ${task.kind} tasks`, final: true };
  const timestamp = Math.floor(now / 1000);
  const headers = {
    'content-type': rendered.contentType,
    [CALLBACK_HEADERS.timestamp]: String(timestamp),
    [CALLBACK_HEADERS.signature]: signCallback(callbackKey(found.secret), timestamp, rendered.body),
  };
  return postWebhook(callback.url, rendered.body, headers, { policy: config.outboundPolicy(), timeoutMs: callbackConfig.timeoutMs() });
}

/**
 * Sends a finished job's callback once. The attempt is claimed with a conditional write first
 * (on the lease too, so two takers of a run-out lease never both send), so duplicate messages
 * never fire a delivered callback twice; a failure is recorded and retried through the queue with
 * backoff until callbackConfig.maxAttempts(), then recorded as failed.
 */
export async function deliverCallback(message: TaskMessage, render: CallbackRenderer, now = Date.now()): Promise<void> {
  const task = await taskStore.get(message);
  const callback = task?.callback;
  if (!task || !callback || !['pending', 'retrying', 'sending'].includes(callback.status)) return;
  // A task restarted since it finished is running again: a "finished" callback now would be false.
  if (!FINAL_STATES.has(task.state)) return;
  if (callback.status === 'sending' && (callback.sendingUntil ?? 0) > now) return;
  const sending: CallbackState = { ...callback, status: 'sending', sendingUntil: now + SENDING_LEASE_MS };
  if (!(await taskStore.updateCallback(task, callback, { ...sending }))) return;
  const claimed = await taskStore.require(task);

  const outcome = await attempt(claimed, callback, render, now);

  const attempts = callback.attempts + 1;
  const { sendingUntil: _lease, ...rest } = sending;
  if (outcome.ok) {
    await taskStore.updateCallback(claimed, sending, { ...rest, status: 'delivered', attempts, deliveredAt: new Date().toISOString() });
    return;
  }
  const finalFailure = attempts >= callbackConfig.maxAttempts() || outcome.final === true;
  const next: CallbackState = {
    ...rest,
    status: finalFailure ? 'failed' : 'retrying',
    attempts,
    lastError: outcome.error ?? 'unknown error',
  };
  if (!(await taskStore.updateCallback(claimed, sending, { ...next }, finalFailure ? {} : { awaitingQueue: 'callback' }))) return;
  if (!finalFailure) await enqueueCallback(claimed, retryDelaySeconds(attempts));
}

/** A callback message that kept failing to be handled at all: record the callback as failed. */
export async function failDeadCallback(message: TaskMessage): Promise<void> {
  const task = await taskStore.get(message);
  const callback = task?.callback;
  if (!task || !callback || callback.status === 'delivered' || callback.status === 'failed') return;
  await taskStore.updateCallback(task, callback, {
    ...callback,
    status: 'failed',
    lastError: callback.lastError ?? 'the callback could not be processed',
  });
}

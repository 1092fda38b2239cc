import { randomBytes } from 'node:crypto';

/**
 * Task ids sort by creation time: a letter, 12 hex digits of milliseconds, 20 random hex digits
 * (33 characters, the shape of Tencent's JobIds). Newest-first lists are then key order.
 */
export function newTaskId(prefix = 'j', now = Date.now()): string {
  return `${prefix}${now.toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

export const TASK_ID_PATTERN = /^[a-z][0-9a-f]{32}$/;

/** A subtask's id: 32 random hex digits; stored under `<task id>.<subtask id>`, beside its task. */
export const SUBTASK_ID_PATTERN = /^[0-9a-f]{32}$/;
export const newSubtaskId = (): string => randomBytes(16).toString('hex');
export const subtaskKey = (taskId: string, subtaskId: string) => `${taskId}.${subtaskId}`;

/** The key of a task or a subtask, as queue messages carry it. */
export const TASK_KEY_PATTERN = /^[a-z][0-9a-f]{32}(\.[0-9a-f]{32})?$/;

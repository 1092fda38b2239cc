import { randomBytes } from 'node:crypto';

/**
 * Task ids sort by creation time: a letter, 12 hex digits of milliseconds, 20 random hex digits
 * (33 characters, the shape of Tencent's JobIds). Newest-first lists are then key order.
 */
export function newTaskId(prefix = 'j', now = Date.now()): string {
  return `${prefix}${now.toString(16).padStart(12, '0')}${randomBytes(10).toString('hex')}`;
}

export const TASK_ID_PATTERN = /^[a-z][0-9a-f]{32}$/;

import type { CallbackState, Task } from './task.ts';

export interface RenderedCallback {
  readonly body: string;
  readonly contentType: string;
}

/**
 * How a finished task's callback body is written, in the words of the dialect that submitted it;
 * undefined for a kind that has no callback form.
 */
export type CallbackRenderer = (task: Task, format: CallbackState['format']) => RenderedCallback | undefined;

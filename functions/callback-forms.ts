import { renderJobCallback } from './ci/job-callback.ts';
import type { CallbackRenderer } from './core/tasks/callbacks.ts';

/**
 * Which dialect writes the callback of each kind of task: the one that submits that kind. The
 * worker delivers callbacks without knowing any dialect; this table is where they meet.
 */
export const renderCallback: CallbackRenderer = (task, format) => {
  switch (task.kind) {
    case 'picprocess':
      return renderJobCallback(task, format);
    default:
      return undefined;
  }
};

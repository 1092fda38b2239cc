import { subtasks } from '../services/subtasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';
import { SubtaskPath, subtaskAt } from './subtask-path.ts';

/** DELETE …/subtasks/{subtask_id}: a subtask that is not running. */
export const route = kmpDialect.route({ summary: 'Delete a subtask that is not running', path: SubtaskPath }, async ({ client, path }) => {
  await subtasks.delete((await subtaskAt(client, path)).subtask);
  return kmpTrue();
});

export const handler = route.handler;

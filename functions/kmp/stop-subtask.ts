import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';
import { SubtaskPath, subtaskAt } from './subtask-path.ts';

/** POST …/subtasks/{subtask_id}/stop: a queued subtask back to UPLOAD_SUCCESS; a running one STOPPING. */
export const route = kmpDialect.route({ summary: 'Stop a queued or running subtask', path: SubtaskPath }, async ({ client, path }) => {
  await tasks.act((await subtaskAt(client, path)).subtask, 'stop');
  return kmpTrue();
});

export const handler = route.handler;

import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';
import { TaskPath } from './update-task.ts';

/** POST …/tasks/{task_id}/stop: a queued task back to INIT; a running one STOPPING, then STOP_SUCCESS when the worker stops. */
export const route = kmpDialect.route({ summary: 'Stop a queued or running task', path: TaskPath }, async ({ client, path }) => {
  await tasks.act(await tasks.require(client, path.task_id, path.workspace_id), 'stop');
  return kmpTrue();
});

export const handler = route.handler;

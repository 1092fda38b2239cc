import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';
import { TaskPath } from './update-task.ts';

/** DELETE …/tasks/{task_id}: a task that is not running (INIT, START_FAILED, FAILED, STOP_SUCCESS, SUCCESS); its output files stay. */
export const route = kmpDialect.route(
  { summary: 'Delete a task that is not running (its output files stay)', path: TaskPath },
  async ({ client, path }) => {
    await tasks.delete(await tasks.require(client, path.task_id, path.workspace_id));
    return kmpTrue();
  },
);

export const handler = route.handler;

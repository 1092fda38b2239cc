import * as z from 'zod/mini';
import { subtasks } from '../services/subtasks.ts';
import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { kmpName } from './fields.ts';
import { subtaskDto } from './subtask-view.ts';
import { TaskPath } from './update-task.ts';

/** POST …/tasks/{task_id}/subtasks `{subtask_name}`: a subtask, INIT, whose input the client uploads to its model_path. */
export const route = kmpDialect.route(
  {
    summary: "Create a subtask (INIT): it runs the task's work on an input uploaded to its model_path",
    path: TaskPath,
    body: { json: z.object({ subtask_name: kmpName('subtask_name', 1, 50) }) },
  },
  async ({ client, path, body }) => {
    const task = await tasks.require(client, path.task_id, path.workspace_id);
    return kmpOk(subtaskDto(client, task, await subtasks.create(client, task, body.subtask_name)));
  },
);

export const handler = route.handler;

import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { real3dTaskDto } from './task-view.ts';
import { TaskPath } from './update-task.ts';

/** POST …/tasks/{task_id}/archive `{archive: true|false}`: SUCCESS ↔ ARCHIVED. */
export const route = kmpDialect.route(
  {
    summary: 'Archive a finished task, or bring it back',
    path: TaskPath,
    body: { json: z.object({ archive: z.boolean('archive must be true or false') }) },
  },
  async ({ client, path, body }) => {
    const task = await tasks.require(client, path.task_id, path.workspace_id);
    return kmpOk(real3dTaskDto(await tasks.act(task, body.archive ? 'archive' : 'unarchive')));
  },
);

export const handler = route.handler;

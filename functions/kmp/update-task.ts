import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { describesWork, descriptionOf, UpdateTask, workOf } from './task-request.ts';
import { real3dTaskDto, taskTypeOf } from './task-view.ts';

export const TaskPath = z.object({ workspace_id: z.string(), task_id: z.string() });

/** PUT /v1/real3d/{workspace_id}/tasks/{task_id}: new description and work; the task is INIT again. */
export const route = kmpDialect.route(
  { summary: 'Update a task that is not running; it goes back to INIT', path: TaskPath, body: { json: UpdateTask } },
  async ({ client, path, body }) => {
    const task = await tasks.require(client, path.task_id, path.workspace_id);
    const type = taskTypeOf(task)!;
    if (body.task_type !== undefined && body.task_type !== type) throw invalidInput(`task_type cannot change: this task is ${type}`);
    const updated = await tasks.update(
      client,
      path.workspace_id,
      path.task_id,
      descriptionOf(body),
      describesWork(body) ? workOf(type, body) : undefined,
    );
    return kmpOk(real3dTaskDto(updated));
  },
);

export const handler = route.handler;

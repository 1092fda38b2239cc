import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { real3dTaskDto } from './task-view.ts';
import { TaskPath } from './update-task.ts';

/** POST …/tasks/{task_id}/start `{run_AT_only}`: into the pipeline (PENDING), its input checked again now. */
export const route = kmpDialect.route(
  {
    summary: 'Start a task (INIT, STOP_SUCCESS, FAILED): it is queued PENDING',
    path: TaskPath,
    body: { json: z.object({ run_AT_only: z.optional(z.boolean('run_AT_only must be true or false')) }) },
  },
  async ({ client, path, body }) => {
    if (body.run_AT_only) throw invalidInput("run_AT_only is for KooMap's REAL3D-CTRL modelling; Tessera's tasks run whole");
    return kmpOk(real3dTaskDto(await tasks.start(client, await tasks.require(client, path.task_id, path.workspace_id))));
  },
);

export const handler = route.handler;

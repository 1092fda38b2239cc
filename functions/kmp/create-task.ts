import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { CreateTask, descriptionOf, workOf } from './task-request.ts';
import { real3dTaskDto } from './task-view.ts';
import { WorkspacePath } from './update-workspace.ts';

/** POST /v1/real3d/{workspace_id}/tasks: a task, INIT, with its work described (PANORAMA or PICPROCESS). */
export const route = kmpDialect.route(
  { summary: 'Create a task (INIT) in a workspace', path: WorkspacePath, body: { json: CreateTask } },
  async ({ client, path, body }) => {
    const task = await tasks.create(
      client,
      path.workspace_id,
      { name: body.task_name, ...descriptionOf(body) },
      workOf(body.task_type, body),
    );
    return kmpOk(real3dTaskDto(task));
  },
);

export const handler = route.handler;

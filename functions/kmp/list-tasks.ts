import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { pageOf, paging, rangeEnd, rangeStart, repeated, statusList, utcTime } from './fields.ts';
import { real3dTaskDto, statesForKmp, TASK_TYPES, type KmpTaskType } from './task-view.ts';
import { WorkspacePath } from './update-workspace.ts';

const ListQuery = z.object({
  ...paging,
  task_name: z.optional(z.string()),
  task_type: repeated,
  modeling_type: z.optional(z.string()),
  create_time_from: utcTime('create_time_from'),
  create_time_to: utcTime('create_time_to'),
  update_time_from: utcTime('update_time_from'),
  update_time_to: utcTime('update_time_to'),
  task_ids: repeated,
  task_status: statusList,
});

/**
 * GET /v1/real3d/{workspace_id}/tasks: newest first, `{tasks, page}`; archived tasks only when
 * named by id or by status; `page.total` exact.
 */
export const route = kmpDialect.route(
  { summary: "List a workspace's tasks", path: WorkspacePath, query: ListQuery },
  async ({ client, path, query }) => {
    await workspaces.require(client, path.workspace_id);
    const { offset, limit } = pageOf(query);
    const types = query.task_type?.map((type) => (type in TASK_TYPES ? TASK_TYPES[type as KmpTaskType] : undefined));
    const result = await tasks.list(
      { clientId: client.clientId, workspaceId: path.workspace_id },
      {
        ...(query.task_status?.length ? { states: query.task_status.flatMap(statesForKmp) } : {}),
        ...(types ? { kinds: types.filter((kind) => kind !== undefined) } : {}),
        ...(query.task_name ? { nameContains: query.task_name } : {}),
        ...(query.task_ids ? { ids: query.task_ids } : {}),
        ...(query.modeling_type ? { attributes: { modeling_type: query.modeling_type } } : {}),
        ...(query.create_time_from ? { createdFrom: rangeStart(query.create_time_from) } : {}),
        ...(query.create_time_to ? { createdTo: rangeEnd(query.create_time_to) } : {}),
        ...(query.update_time_from ? { updatedFrom: rangeStart(query.update_time_from) } : {}),
        ...(query.update_time_to ? { updatedTo: rangeEnd(query.update_time_to) } : {}),
      },
      offset,
      limit,
    );
    return kmpOk({ tasks: result.tasks.map(real3dTaskDto), page: { offset, limit, total: result.total } });
  },
);

export const handler = route.handler;

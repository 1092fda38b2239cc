import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { pageOf, paging, repeated, statusList, utcTime } from './fields.ts';
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

/** A time filter (whole seconds) as the ISO text tasks carry: a range's end takes its whole second. */
const from = (kmp: string) => kmp.replace('Z', '.000Z');
const to = (kmp: string) => kmp.replace('Z', '.999Z');

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
        ...(query.create_time_from ? { createdFrom: from(query.create_time_from) } : {}),
        ...(query.create_time_to ? { createdTo: to(query.create_time_to) } : {}),
        ...(query.update_time_from ? { updatedFrom: from(query.update_time_from) } : {}),
        ...(query.update_time_to ? { updatedTo: to(query.update_time_to) } : {}),
      },
      offset,
      limit,
    );
    return kmpOk({ tasks: result.tasks.map(real3dTaskDto), page: { offset, limit, total: result.total } });
  },
);

export const handler = route.handler;

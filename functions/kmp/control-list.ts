import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { limitValue, offsetValue, rangeEnd, rangeStart, statusList, utcTime } from './fields.ts';
import { taskNumVo } from './overview.ts';
import { statesForKmp, taskVo } from './task-view.ts';

const required = (name: string) => z.string({ error: `${name} is required` });

/** The satellite family's list (reference/kmp.md §2.3): `workspace_id`, `offset` and `limit` required. */
const ControlQuery = z.object({
  workspace_id: required('workspace_id'),
  offset: offsetValue,
  limit: limitValue,
  task_name: z.optional(z.string().check(z.minLength(1), z.maxLength(50, 'task_name is at most 50 characters'))),
  task_status: statusList,
  create_time_start: utcTime('create_time_start'),
  create_time_end: utcTime('create_time_end'),
});

/** GET /v1/kmp-control/tasks: `{page, data: [TaskVo], taskNumVo}` over the same tasks as real3d. */
export const route = kmpDialect.route(
  { summary: "List a workspace's tasks in the satellite family's shape", query: ControlQuery },
  async ({ client, query }) => {
    await workspaces.require(client, query.workspace_id);
    const owner = { clientId: client.clientId, workspaceId: query.workspace_id };
    const { offset, limit } = query;
    const result = await tasks.list(
      owner,
      {
        ...(query.task_status?.length ? { states: query.task_status.flatMap(statesForKmp) } : {}),
        ...(query.task_name ? { nameContains: query.task_name } : {}),
        ...(query.create_time_start ? { createdFrom: rangeStart(query.create_time_start) } : {}),
        ...(query.create_time_end ? { createdTo: rangeEnd(query.create_time_end) } : {}),
      },
      offset,
      limit,
    );
    return kmpOk({
      page: { offset, limit, total: result.total },
      data: result.tasks.map(taskVo),
      taskNumVo: taskNumVo(await tasks.counts(owner)),
    });
  },
);

export const handler = route.handler;

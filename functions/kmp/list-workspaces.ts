import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { pageOf, paging, queryBoolean, repeated, utcTime } from './fields.ts';
import { kmpTime } from './task-view.ts';
import { workspaceDto } from './workspace-view.ts';

const ListQuery = z.object({
  ...paging,
  workspace_ids: repeated,
  workspace_name: z.optional(z.string()),
  star: queryBoolean('star'),
  create_time_from: utcTime('create_time_from'),
  create_time_to: utcTime('create_time_to'),
  update_time_from: utcTime('update_time_from'),
  update_time_to: utcTime('update_time_to'),
  order_by: z.optional(z.enum(['create_time_asc', 'create_time_desc'], { error: 'order_by must be create_time_asc or create_time_desc' })),
});

const inRange = (time: string | undefined, from?: string, to?: string) => (!from || (time ?? '') >= from) && (!to || (time ?? '') <= to);

/** GET /v1/workspaces: the client's workspaces, starred first, then by creation time. */
export const route = kmpDialect.route({ summary: "List the client's workspaces", query: ListQuery }, async ({ client, query }) => {
  const { offset, limit } = pageOf(query);
  const name = query.workspace_name?.toLocaleLowerCase('en-US');
  const matching = (await workspaces.all(client))
    .filter((workspace) => !query.workspace_ids || query.workspace_ids.includes(workspace.workspaceId))
    .filter((workspace) => !name || workspace.name.toLocaleLowerCase('en-US').includes(name))
    .filter((workspace) => query.star === undefined || workspace.starred === query.star)
    .filter((workspace) => inRange(kmpTime(workspace.createdAt), query.create_time_from, query.create_time_to))
    .filter((workspace) => inRange(kmpTime(workspace.updatedAt), query.update_time_from, query.update_time_to))
    .sort(
      (a, b) =>
        Number(b.starred) - Number(a.starred) || (query.order_by === 'create_time_asc' ? 1 : -1) * a.createdAt.localeCompare(b.createdAt),
    );
  const shown = matching.slice(offset, offset + limit);
  const totals = await tasks.totals(
    client.clientId,
    shown.map((workspace) => workspace.workspaceId),
  );
  return kmpOk({
    data: shown.map((workspace) => workspaceDto(client, workspace, (totals.get(workspace.workspaceId) ?? 0) === 0)),
    page: { offset, limit, total: matching.length },
  });
});

export const handler = route.handler;

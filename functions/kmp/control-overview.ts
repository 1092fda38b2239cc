import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { controlOverview } from './overview.ts';

/** GET /v1/kmp-control/tasks/overview?workspace_id=: `{total, finished, unfinished}`. */
export const route = kmpDialect.route(
  {
    summary: "Count a workspace's tasks: finished and not",
    query: z.object({ workspace_id: z.string({ error: 'workspace_id is required' }) }),
  },
  async ({ client, query }) => {
    await workspaces.require(client, query.workspace_id);
    return kmpOk(controlOverview(await tasks.counts({ clientId: client.clientId, workspaceId: query.workspace_id })));
  },
);

export const handler = route.handler;

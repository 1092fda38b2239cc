import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { real3dOverview } from './overview.ts';
import { WorkspacePath } from './update-workspace.ts';

/** GET /v1/real3d/{workspace_id}/tasks/overview: exact counts by state, in a constant number of reads. */
export const route = kmpDialect.route({ summary: "Count a workspace's tasks by state", path: WorkspacePath }, async ({ client, path }) => {
  await workspaces.require(client, path.workspace_id);
  return kmpOk(real3dOverview(path.workspace_id, await tasks.counts({ clientId: client.clientId, workspaceId: path.workspace_id })));
});

export const handler = route.handler;

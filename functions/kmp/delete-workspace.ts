import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';
import { WorkspacePath } from './update-workspace.ts';

/** DELETE /v1/workspaces/{workspace_id} (body `{}`): only an empty, unstarred workspace, never the default one. */
export const route = kmpDialect.route(
  { summary: 'Delete an empty, unstarred workspace', path: WorkspacePath },
  async ({ client, path }) => {
    await workspaces.delete(client, path.workspace_id);
    return kmpTrue();
  },
);

export const handler = route.handler;

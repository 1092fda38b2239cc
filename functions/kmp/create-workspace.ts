import * as z from 'zod/mini';
import { workspaces } from '../services/workspaces.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { kmpText } from './fields.ts';
import { workspaceDto } from './workspace-view.ts';

/** KooMap: 2–50 characters; any characters (the SDK states no charset for workspaces). */
export const workspaceName = z
  .string({ error: 'workspace_name is required' })
  .check(z.minLength(2, 'workspace_name must be 2-50 characters'), z.maxLength(50, 'workspace_name must be 2-50 characters'));

/** POST /v1/workspaces: a new workspace (≤ 500 per client, names unique in any case). */
export const route = kmpDialect.route(
  {
    summary: 'Create a workspace',
    body: { json: z.object({ workspace_name: workspaceName, workspace_description: kmpText('workspace_description', 200) }) },
  },
  async ({ client, body }) => {
    const workspace = await workspaces.create(client, { name: body.workspace_name, description: body.workspace_description ?? '' });
    return kmpOk(workspaceDto(client, workspace, true));
  },
);

export const handler = route.handler;

import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { workspaces } from '../services/workspaces.ts';
import { workspaceName } from './create-workspace.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { kmpText } from './fields.ts';
import { workspaceDto } from './workspace-view.ts';

export const WorkspacePath = z.object({ workspace_id: z.string() });

const UpdateWorkspace = z.object({
  workspace_name: z.optional(workspaceName),
  workspace_description: kmpText('workspace_description', 200),
  star: z.optional(z.union([z.literal(0), z.literal(1)], { error: 'star must be 0 or 1' })),
});

/** PUT /v1/workspaces/{workspace_id}: rename, describe, star (≤ 4 starred). */
export const route = kmpDialect.route(
  { summary: 'Update a workspace', path: WorkspacePath, body: { json: UpdateWorkspace } },
  async ({ client, path, body }) => {
    const workspace = await workspaces.update(client, path.workspace_id, {
      ...(body.workspace_name !== undefined ? { name: body.workspace_name } : {}),
      ...(body.workspace_description !== undefined ? { description: body.workspace_description } : {}),
      ...(body.star !== undefined ? { starred: body.star === 1 } : {}),
    });
    const [total] = (await tasks.totals(client.clientId, [workspace.workspaceId])).values();
    return kmpOk(workspaceDto(client, workspace, (total ?? 0) === 0));
  },
);

export const handler = route.handler;

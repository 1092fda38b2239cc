import type { Client } from '../core/client.ts';
import { deletionRefusal, type Workspace } from '../core/workspaces.ts';
import { kmpTime } from './task-view.ts';

/** A workspace as KooMap's WorkspaceDto (reference/kmp.md §2.4); `can_delete` says whether delete would succeed now. */
export function workspaceDto(client: Client, workspace: Workspace, empty: boolean): Record<string, unknown> {
  return {
    workspace_id: workspace.workspaceId,
    workspace_name: workspace.name,
    workspace_description: workspace.description,
    tenant_domain_id: client.clientId,
    creator: client.clientId,
    latest_operator: client.clientId,
    create_time: kmpTime(workspace.createdAt),
    update_time: kmpTime(workspace.updatedAt),
    star: workspace.starred ? 1 : 0,
    can_delete: empty && deletionRefusal(workspace) === undefined,
  };
}

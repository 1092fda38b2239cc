import type { Client } from '../core/client.ts';
import { conflict, invalidInput, notFound } from '../core/errors.ts';
import {
  checkNewName,
  checkRoomForOneMore,
  checkStars,
  defaultWorkspaceId,
  deletionRefusal,
  newWorkspaceId,
  WORKSPACE_ID_PATTERN,
  type Workspace,
  type WorkspaceDirectory,
} from '../core/workspaces.ts';
import { taskStore } from '../adapters/task-store.ts';
import { workspaceStore } from '../adapters/workspace-store.ts';

/** Under DynamoDB's 400 KB item, with room to spare: 500 workspaces of long CJK names and descriptions would not fit. */
const MAX_DIRECTORY_BYTES = 350_000;
const RETRIES = 5;

const defaultWorkspace = (client: Client): Workspace => ({
  workspaceId: defaultWorkspaceId(client.clientId),
  name: 'default',
  description: 'Where tasks submitted through /panorama and /jobs live',
  starred: false,
  createdAt: client.createdAt,
  updatedAt: client.createdAt,
  isDefault: true,
});

/** The client's directory, made (with its default workspace) on first sight. */
async function directoryOf(client: Client): Promise<WorkspaceDirectory> {
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const found = await workspaceStore.read(client.clientId);
    if (found) return found;
    const fresh: WorkspaceDirectory = { workspaces: [defaultWorkspace(client)], version: 1 };
    if (await workspaceStore.replace(client.clientId, fresh, undefined)) return fresh;
  }
  throw conflict('the workspaces changed while they were being read; try again');
}

/**
 * Applies `change` to the client's directory in one conditional write, decided again on the
 * current version if another change won first; `change` throws to refuse.
 */
async function changeDirectory<T>(
  client: Client,
  change: (directory: WorkspaceDirectory) => { workspaces: readonly Workspace[]; answer: T },
): Promise<T> {
  for (let attempt = 0; attempt < RETRIES; attempt++) {
    const directory = await directoryOf(client);
    const { workspaces, answer } = change(directory);
    const next = { workspaces, version: directory.version + 1 };
    if (Buffer.byteLength(JSON.stringify(next)) > MAX_DIRECTORY_BYTES) {
      throw invalidInput("the workspaces' names and descriptions are too long in total; shorten some descriptions", 'LimitReached');
    }
    if (await workspaceStore.replace(client.clientId, next, directory.version)) return answer;
  }
  throw conflict('the workspaces are being changed by other requests; try again');
}

function find(directory: WorkspaceDirectory, workspaceId: string): Workspace {
  const workspace = WORKSPACE_ID_PATTERN.test(workspaceId)
    ? directory.workspaces.find((entry) => entry.workspaceId === workspaceId)
    : undefined;
  if (!workspace) throw notFound(`workspace ${workspaceId} does not exist`);
  return workspace;
}

export const workspaces = {
  all: async (client: Client): Promise<readonly Workspace[]> => (await directoryOf(client)).workspaces,

  /** The client's workspace by id; another client's, or a malformed id, is one that does not exist. */
  require: async (client: Client, workspaceId: string): Promise<Workspace> => find(await directoryOf(client), workspaceId),

  create(client: Client, fields: { name: string; description: string }, now = new Date().toISOString()): Promise<Workspace> {
    return changeDirectory(client, (directory) => {
      checkRoomForOneMore(directory);
      checkNewName(directory, fields.name);
      const workspace: Workspace = {
        workspaceId: newWorkspaceId(),
        ...fields,
        starred: false,
        createdAt: now,
        updatedAt: now,
        isDefault: false,
      };
      return { workspaces: [...directory.workspaces, workspace], answer: workspace };
    });
  },

  update(
    client: Client,
    workspaceId: string,
    fields: { name?: string; description?: string; starred?: boolean },
    now = new Date().toISOString(),
  ): Promise<Workspace> {
    return changeDirectory(client, (directory) => {
      const current = find(directory, workspaceId);
      if (fields.name !== undefined) checkNewName(directory, fields.name, workspaceId);
      const updated: Workspace = { ...current, ...fields, updatedAt: now };
      const all = directory.workspaces.map((workspace) => (workspace.workspaceId === workspaceId ? updated : workspace));
      checkStars(all);
      return { workspaces: all, answer: updated };
    });
  },

  /**
   * Deletes a workspace that is empty, not starred and not the default. Its task counter is
   * closed first (refused if any task is in it or being created), so no task can land in a
   * workspace that is going away.
   */
  async delete(client: Client, workspaceId: string): Promise<void> {
    const workspace = find(await directoryOf(client), workspaceId);
    const refusal = deletionRefusal(workspace);
    if (refusal) throw conflict(refusal);
    const owner = { clientId: client.clientId, workspaceId };
    if (!(await taskStore.closeWorkspace(owner))) throw conflict(`workspace ${workspaceId} still holds tasks; delete them first`);
    try {
      await changeDirectory(client, (directory) => {
        const refused = deletionRefusal(find(directory, workspaceId));
        if (refused) throw conflict(refused);
        return { workspaces: directory.workspaces.filter((entry) => entry.workspaceId !== workspaceId), answer: undefined };
      });
    } catch (error) {
      // Starred meanwhile, or the directory kept changing: the workspace stays, open again.
      await taskStore.reopenWorkspace(owner);
      throw error;
    }
  },
};

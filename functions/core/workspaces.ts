import { createHash, randomBytes } from 'node:crypto';
import { conflict, invalidInput } from './errors.ts';

/** Workspace ids look like KooMap's: 32 hex digits. */
export const WORKSPACE_ID_PATTERN = /^[0-9a-f]{32}$/;

export const newWorkspaceId = (): string => randomBytes(16).toString('hex');

/**
 * Every client has a default workspace, where the tasks submitted through the other dialects
 * (/panorama, /jobs) live. Its id is derived from the client's, so no dialect has to look it up.
 */
export const defaultWorkspaceId = (clientId: string): string =>
  createHash('sha256').update(`tessera-default-workspace:${clientId}`).digest('hex').slice(0, 32);

/** KooMap's workspace rules (reference/kmp.md §2.4). */
export const MAX_WORKSPACES = 500;
export const MAX_STARRED = 4;

/** A client's workspace, in Tessera's words; kmp shows it as WorkspaceDto. */
export interface Workspace {
  readonly workspaceId: string;
  readonly name: string;
  readonly description: string;
  readonly starred: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** The workspace /panorama and /jobs put tasks in: never deleted. */
  readonly isDefault: boolean;
}

/** All of a client's workspaces, kept in one record so its rules hold in one conditional write. */
export interface WorkspaceDirectory {
  readonly workspaces: readonly Workspace[];
  /** Bumped by every change: a change applies only to the version it was decided on. */
  readonly version: number;
}

/** Names are unique per client regardless of case. */
const sameName = (a: string, b: string) => a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');

export function checkNewName(directory: WorkspaceDirectory, name: string, except?: string): void {
  if (directory.workspaces.some((workspace) => workspace.workspaceId !== except && sameName(workspace.name, name))) {
    throw conflict(`a workspace named ${name} already exists`, 'Duplicate');
  }
}

export function checkRoomForOneMore(directory: WorkspaceDirectory): void {
  if (directory.workspaces.length >= MAX_WORKSPACES)
    throw invalidInput(`a client has at most ${MAX_WORKSPACES} workspaces`, 'LimitReached');
}

export function checkStars(workspaces: readonly Workspace[]): void {
  if (workspaces.filter((workspace) => workspace.starred).length > MAX_STARRED) {
    throw invalidInput(`at most ${MAX_STARRED} workspaces may be starred`, 'LimitReached');
  }
}

/** Why a workspace may not be deleted, if it may not: starred, or the default one. Emptiness is the counter's to tell. */
export function deletionRefusal(workspace: Workspace): string | undefined {
  if (workspace.isDefault) return 'the default workspace (where /panorama and /jobs put tasks) cannot be deleted';
  if (workspace.starred) return 'a starred workspace cannot be deleted; unstar it first';
  return undefined;
}

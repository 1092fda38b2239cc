import { createHash, randomBytes } from 'node:crypto';

/** Workspace ids look like KooMap's: 32 hex digits. */
export const WORKSPACE_ID_PATTERN = /^[0-9a-f]{32}$/;

export const newWorkspaceId = (): string => randomBytes(16).toString('hex');

/**
 * Every client has a default workspace, where the tasks submitted through the other dialects
 * (/panorama, /jobs) live. Its id is derived from the client's, so no dialect has to look it up.
 */
export const defaultWorkspaceId = (clientId: string): string =>
  createHash('sha256').update(`tessera-default-workspace:${clientId}`).digest('hex').slice(0, 32);

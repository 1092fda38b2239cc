import { api } from './api.ts';

/** KooMap's task as the kmp list answers it (docs/kmp.md), the fields the console reads. */
export interface KmpTask {
  readonly task_id: string;
  readonly task_name: string;
  readonly task_type?: 'PANORAMA' | 'PICPROCESS';
  readonly task_status: string;
  readonly task_progress: string;
  readonly create_time?: string;
  readonly update_time?: string;
  readonly fail_message?: string;
  readonly input_object?: string;
  readonly output_object?: string;
  readonly process_rule?: string;
  readonly template_id?: string;
}

export interface Workspace {
  readonly workspace_id: string;
  readonly workspace_name: string;
}

export interface Overview {
  readonly total_count: number;
  readonly running_count: number;
  readonly success_count: number;
  readonly failed_count: number;
  readonly archived_count: number;
}

export interface TaskFilter {
  readonly status?: string;
  readonly type?: string;
  readonly name?: string;
  /** `yyyy-MM-ddTHH:mm` local, from a datetime-local input. */
  readonly from?: string;
  readonly to?: string;
  readonly offset: number;
  readonly limit: number;
}

/** A datetime-local value → KooMap's UTC `yyyy-MM-dd'T'HH:mm:ss'Z'`. */
const utc = (local: string | undefined) => (local ? `${new Date(local).toISOString().slice(0, 19)}Z` : undefined);

const tasksPath = (workspace: string) => `/v1/real3d/${encodeURIComponent(workspace)}/tasks`;

export const kmp = {
  workspaces: () => api<{ data: Workspace[] }>('/v1/workspaces', { query: { limit: 100 } }).then((answer) => answer.data),

  list: (workspace: string, filter: TaskFilter) =>
    api<{ tasks: KmpTask[]; page: { total: number } }>(tasksPath(workspace), {
      query: {
        offset: filter.offset,
        limit: filter.limit,
        task_status: filter.status,
        task_type: filter.type,
        task_name: filter.name,
        create_time_from: utc(filter.from),
        create_time_to: utc(filter.to),
      },
    }),

  overview: (workspace: string) => api<Overview>(`${tasksPath(workspace)}/overview`),

  get: async (workspace: string, taskId: string): Promise<KmpTask | undefined> =>
    (await api<{ tasks: KmpTask[] }>(tasksPath(workspace), { query: { task_ids: [taskId], limit: 1 } })).tasks[0],

  create: (workspace: string, body: Record<string, unknown>) => api<KmpTask>(tasksPath(workspace), { json: body }),

  start: (workspace: string, taskId: string) => api<KmpTask>(`${tasksPath(workspace)}/${taskId}/start`, { json: {} }),
  stop: (workspace: string, taskId: string) => api<boolean>(`${tasksPath(workspace)}/${taskId}/stop`, { json: {} }),
  archive: (workspace: string, taskId: string, archive: boolean) =>
    api<KmpTask>(`${tasksPath(workspace)}/${taskId}/archive`, { json: { archive } }),
  remove: (workspace: string, taskId: string) => api<boolean>(`${tasksPath(workspace)}/${taskId}`, { method: 'DELETE' }),
};

/** The client's default workspace (where /panorama and /jobs tasks go), else its first. */
export async function defaultWorkspace(): Promise<Workspace> {
  const all = await kmp.workspaces();
  const chosen = all.find((workspace) => workspace.workspace_name === 'default') ?? all[0];
  if (!chosen) throw new Error('this client has no workspace');
  return chosen;
}

/**
 * Every HTTP route Tessera serves. The CDK stack makes one API Gateway route and one Lambda per
 * group from this table; the local server dispatches on it. `handler` is the module, relative to
 * functions/, whose `handler` export serves the route.
 */
export type Dialect = 'platform' | 'storage' | 'ost' | 'ci' | 'kmp' | 'vision' | 'auth';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: HttpMethod;
  readonly path: string;
  readonly dialect: Dialect;
  readonly group: string;
  readonly handler: string;
  /**
   * Carries files of real size (up to TESSERA_MAX_BODY_BYTES, 64 MiB): served by a container that
   * streams the body (docs/architecture.md, "Large bodies"), since Lambda takes 6 MB at most.
   */
  readonly largeBodies?: true;
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/health', dialect: 'platform', group: 'platform', handler: 'platform/health.ts' },
  { method: 'GET', path: '/openapi.json', dialect: 'platform', group: 'platform', handler: 'platform/openapi.ts' },
  { method: 'POST', path: '/upload', dialect: 'storage', group: 'storage', handler: 'storage/upload.ts', largeBodies: true },
  { method: 'POST', path: '/panorama', dialect: 'storage', group: 'storage', handler: 'storage/panorama.ts', largeBodies: true },
  { method: 'GET', path: '/get_file_info', dialect: 'storage', group: 'storage', handler: 'storage/get-file-info.ts' },
  { method: 'POST', path: '/get_file_info', dialect: 'storage', group: 'storage', handler: 'storage/get-file-info.ts' },
  { method: 'POST', path: '/file/upload', dialect: 'ost', group: 'ost', handler: 'ost/simple-upload.ts', largeBodies: true },
  { method: 'POST', path: '/file/mpupload/init', dialect: 'ost', group: 'ost', handler: 'ost/init.ts' },
  { method: 'POST', path: '/file/mpupload/upload', dialect: 'ost', group: 'ost', handler: 'ost/upload-slice.ts', largeBodies: true },
  { method: 'POST', path: '/file/mpupload/presign', dialect: 'ost', group: 'ost', handler: 'ost/presign.ts' },
  { method: 'POST', path: '/file/mpupload/complete', dialect: 'ost', group: 'ost', handler: 'ost/complete.ts' },
  { method: 'POST', path: '/file/mpupload/cancel', dialect: 'ost', group: 'ost', handler: 'ost/cancel.ts' },
  { method: 'POST', path: '/jobs', dialect: 'ci', group: 'ci', handler: 'ci/create-job.ts' },
  { method: 'GET', path: '/jobs', dialect: 'ci', group: 'ci', handler: 'ci/list-jobs.ts' },
  { method: 'GET', path: '/jobs/{ids}', dialect: 'ci', group: 'ci', handler: 'ci/describe-jobs.ts' },
  { method: 'PUT', path: '/jobs/{ids}', dialect: 'ci', group: 'ci', handler: 'ci/cancel-job.ts' },
  // The legacy job paths (CreatePicJobs, DescribePicJob, DescribePicJobs) that cos-python-sdk-v5 and cos-go-sdk-v5 still send.
  { method: 'POST', path: '/pic_jobs', dialect: 'ci', group: 'ci', handler: 'ci/create-pic-job.ts' },
  { method: 'GET', path: '/pic_jobs', dialect: 'ci', group: 'ci', handler: 'ci/list-pic-jobs.ts' },
  { method: 'GET', path: '/pic_jobs/{ids}', dialect: 'ci', group: 'ci', handler: 'ci/describe-pic-jobs.ts' },
  { method: 'POST', path: '/template', dialect: 'ci', group: 'ci', handler: 'ci/create-template.ts' },
  { method: 'GET', path: '/template', dialect: 'ci', group: 'ci', handler: 'ci/describe-templates.ts' },
  { method: 'PUT', path: '/template/{templateId}', dialect: 'ci', group: 'ci', handler: 'ci/update-template.ts' },
  { method: 'DELETE', path: '/template/{templateId}', dialect: 'ci', group: 'ci', handler: 'ci/delete-template.ts' },
  { method: 'GET', path: '/picqueue', dialect: 'ci', group: 'ci', handler: 'ci/describe-queues.ts' },
  { method: 'PUT', path: '/picqueue/{queueId}', dialect: 'ci', group: 'ci', handler: 'ci/update-queue.ts' },
  { method: 'POST', path: '/picqueue/{queueId}', dialect: 'ci', group: 'ci', handler: 'ci/update-queue.ts' },
  // VK Cloud Vision's persons; images of up to 15 MiB, 30 MiB a request, so they take the big-body path.
  { method: 'POST', path: '/api/v1/persons/set', dialect: 'vision', group: 'vision', handler: 'vision/set.ts', largeBodies: true },
  {
    method: 'POST',
    path: '/api/v1/persons/recognize',
    dialect: 'vision',
    group: 'vision',
    handler: 'vision/recognize.ts',
    largeBodies: true,
  },
  { method: 'POST', path: '/api/v1/persons/delete', dialect: 'vision', group: 'vision', handler: 'vision/delete.ts', largeBodies: true },
  {
    method: 'POST',
    path: '/api/v1/persons/truncate',
    dialect: 'vision',
    group: 'vision',
    handler: 'vision/truncate.ts',
    largeBodies: true,
  },
  { method: 'POST', path: '/auth/oauth/v1/token', dialect: 'auth', group: 'auth', handler: 'auth/token.ts' },
  { method: 'GET', path: '/v1/workspaces', dialect: 'kmp', group: 'kmp', handler: 'kmp/list-workspaces.ts' },
  { method: 'POST', path: '/v1/workspaces', dialect: 'kmp', group: 'kmp', handler: 'kmp/create-workspace.ts' },
  { method: 'PUT', path: '/v1/workspaces/{workspace_id}', dialect: 'kmp', group: 'kmp', handler: 'kmp/update-workspace.ts' },
  { method: 'DELETE', path: '/v1/workspaces/{workspace_id}', dialect: 'kmp', group: 'kmp', handler: 'kmp/delete-workspace.ts' },
  { method: 'POST', path: '/v1/real3d/{workspace_id}/tasks', dialect: 'kmp', group: 'kmp', handler: 'kmp/create-task.ts' },
  { method: 'GET', path: '/v1/real3d/{workspace_id}/tasks', dialect: 'kmp', group: 'kmp', handler: 'kmp/list-tasks.ts' },
  { method: 'GET', path: '/v1/real3d/{workspace_id}/tasks/overview', dialect: 'kmp', group: 'kmp', handler: 'kmp/task-overview.ts' },
  { method: 'PUT', path: '/v1/real3d/{workspace_id}/tasks/{task_id}', dialect: 'kmp', group: 'kmp', handler: 'kmp/update-task.ts' },
  { method: 'POST', path: '/v1/real3d/{workspace_id}/tasks/{task_id}/start', dialect: 'kmp', group: 'kmp', handler: 'kmp/start-task.ts' },
  { method: 'POST', path: '/v1/real3d/{workspace_id}/tasks/{task_id}/stop', dialect: 'kmp', group: 'kmp', handler: 'kmp/stop-task.ts' },
  {
    method: 'POST',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/archive',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/archive-task.ts',
  },
  { method: 'DELETE', path: '/v1/real3d/{workspace_id}/tasks/{task_id}', dialect: 'kmp', group: 'kmp', handler: 'kmp/delete-task.ts' },
  {
    method: 'POST',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/subtasks',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/create-subtask.ts',
  },
  {
    method: 'GET',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/subtasks',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/list-subtasks.ts',
  },
  {
    method: 'POST',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/subtasks/{subtask_id}/start',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/start-subtask.ts',
  },
  {
    method: 'POST',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/subtasks/{subtask_id}/stop',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/stop-subtask.ts',
  },
  {
    method: 'PUT',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/subtasks/{subtask_id}/upload-status',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/update-upload-status.ts',
  },
  {
    method: 'DELETE',
    path: '/v1/real3d/{workspace_id}/tasks/{task_id}/subtasks/{subtask_id}',
    dialect: 'kmp',
    group: 'kmp',
    handler: 'kmp/delete-subtask.ts',
  },
  { method: 'GET', path: '/v1/kmp-control/tasks', dialect: 'kmp', group: 'kmp', handler: 'kmp/control-list.ts' },
  { method: 'GET', path: '/v1/kmp-control/tasks/overview', dialect: 'kmp', group: 'kmp', handler: 'kmp/control-overview.ts' },
  { method: 'POST', path: '/v1/kmp-control/tasks/start', dialect: 'kmp', group: 'kmp', handler: 'kmp/control-start.ts' },
  { method: 'POST', path: '/v1/kmp-control/tasks/stop', dialect: 'kmp', group: 'kmp', handler: 'kmp/control-stop.ts' },
  { method: 'POST', path: '/v1/kmp-control/tasks/archive', dialect: 'kmp', group: 'kmp', handler: 'kmp/control-archive.ts' },
  { method: 'DELETE', path: '/v1/kmp-control/tasks', dialect: 'kmp', group: 'kmp', handler: 'kmp/control-delete.ts' },
];

export const routeKey = (route: Pick<Route, 'method' | 'path'>) => `${route.method} ${route.path}`;

export function routeGroups(routes: readonly Route[] = ROUTES): Map<string, Route[]> {
  const groups = new Map<string, Route[]>();
  for (const route of routes) groups.set(route.group, [...(groups.get(route.group) ?? []), route]);
  return groups;
}

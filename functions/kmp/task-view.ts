import type { TaskState } from '../core/task-states.ts';
import type { Task } from '../core/tasks/task.ts';

/** KooMap's UTC timestamps: `yyyy-MM-dd'T'HH:mm:ss'Z'`. */
export const kmpTime = (iso: string | undefined): string | undefined => (iso ? `${iso.slice(0, 19)}Z` : undefined);

/**
 * Core states in KooMap's words. They are KooMap's own, but for the ci queue's two: a paused task
 * is still waiting (PENDING), and a cancelled one was stopped before it ran (STOP_SUCCESS).
 */
export function kmpState(state: TaskState): TaskState {
  if (state === 'PAUSED') return 'PENDING';
  if (state === 'CANCELLED') return 'STOP_SUCCESS';
  return state;
}

/** The core states a KooMap status names (the inverse of kmpState). */
export function statesForKmp(status: TaskState): TaskState[] {
  if (status === 'PENDING') return ['PENDING', 'PAUSED'];
  if (status === 'STOP_SUCCESS') return ['STOP_SUCCESS', 'CANCELLED'];
  return [status];
}

/** task_type: the work a task does, in KooMap's upper-case words. */
export const TASK_TYPES = { PANORAMA: 'panorama', PICPROCESS: 'picprocess' } as const;
export type KmpTaskType = keyof typeof TASK_TYPES;
export const taskTypeOf = (task: Task): KmpTaskType | undefined =>
  task.kind === 'panorama' ? 'PANORAMA' : task.kind === 'picprocess' ? 'PICPROCESS' : undefined;

/** "0.00"–"1.00", as KooMap writes progress. */
const progressText = (task: Task) => (task.state === 'SUCCESS' || task.state === 'ARCHIVED' ? 1 : (task.progress ?? 0)).toFixed(2);

/** The work's own parameters, in the field names the create body takes (docs/kmp.md). */
function workFields(task: Task): Record<string, unknown> {
  switch (task.kind) {
    case 'panorama':
      return {
        input_object: task.spec.key,
        fallback_quality: task.spec.qualities.fallback,
        ...Object.fromEntries(task.spec.qualities.levels.map((quality, index) => [`0${index + 1}_quality`, quality])),
      };
    case 'picprocess':
      return {
        input_object: task.spec.input.key,
        output_object: task.spec.output.key,
        ...(task.spec.template ? { template_id: task.spec.template.id } : { process_rule: task.spec.rule }),
        is_pic_info: task.spec.describeOriginal,
        ...(task.callback ? { callback_url: task.callback.url, callback_format: task.callback.format } : {}),
      };
    default:
      return {};
  }
}

/** A task as KooMap's Real3DTaskDto (reference/kmp.md §3), with Tessera's work fields beside it. */
export function real3dTaskDto(task: Task): Record<string, unknown> {
  const stages = task.kind === 'panorama' ? 6 : 1;
  return {
    task_id: task.taskId,
    task_name: task.name ?? task.taskId,
    task_type: taskTypeOf(task),
    task_description: task.description,
    workspace_id: task.workspaceId,
    ...(task.attributes ?? {}),
    create_time: kmpTime(task.createdAt),
    update_time: kmpTime(task.updatedAt),
    tenant_domain_id: task.clientId,
    creator: task.clientId,
    latest_operator: task.clientId,
    task_status: kmpState(task.state),
    complete_stage: Math.floor(Number(progressText(task)) * stages),
    total_stage: stages,
    task_progress: progressText(task),
    exec_start_time: kmpTime(task.startedAt),
    exec_stop_time: kmpTime(task.endedAt),
    fail_message: task.error?.message,
    ...workFields(task),
  };
}

/** A task as the satellite family's TaskVo (reference/kmp.md §3). */
export function taskVo(task: Task): Record<string, unknown> {
  return {
    task_id: task.taskId,
    workspace_id: task.workspaceId,
    task_name: task.name ?? task.taskId,
    creator: task.clientId,
    create_time: kmpTime(task.createdAt),
    task_status: kmpState(task.state),
    task_type: taskTypeOf(task),
    task_description: task.description,
    exec_start_time: kmpTime(task.startedAt),
    exec_stop_time: kmpTime(task.endedAt),
    task_progress: progressText(task),
    is_deleted: 0,
    domain_id: task.clientId,
    fail_message: task.error?.message,
  };
}

import type { Client } from '../core/client.ts';
import type { Task } from '../core/tasks/task.ts';
import { subtaskIdOf, subtaskPaths } from '../services/subtasks.ts';
import { kmpState, kmpTime } from './task-view.ts';

/** A subtask as KooMap's Real3DSubTaskDto (reference/kmp.md §3); `model_path` is where its input is uploaded. */
export function subtaskDto(client: Client, task: Task, subtask: Task): Record<string, unknown> {
  const paths = subtaskPaths(client, task, subtaskIdOf(subtask));
  return {
    subtask_id: subtaskIdOf(subtask),
    task_id: task.taskId,
    subtask_name: subtask.name,
    task_name: task.name ?? task.taskId,
    workspace_id: task.workspaceId,
    modeling_params: task.attributes?.modeling_params,
    subtask_status: kmpState(subtask.state),
    model_path: paths.input,
    refine_product_id: subtask.state === 'SUCCESS' ? (task.kind === 'panorama' ? `${paths.input}/` : paths.output) : undefined,
    create_time: kmpTime(subtask.createdAt),
    update_time: kmpTime(subtask.updatedAt),
    tenant_domain_id: client.clientId,
    creator: client.clientId,
    latest_operator: client.clientId,
    subtask_progress: subtask.progress === undefined ? undefined : subtask.progress.toFixed(2),
    exec_start_time: kmpTime(subtask.startedAt),
    exec_stop_time: kmpTime(subtask.endedAt),
    fail_message: subtask.error?.message,
  };
}

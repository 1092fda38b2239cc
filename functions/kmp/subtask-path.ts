import * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import type { Task } from '../core/tasks/task.ts';
import { subtasks } from '../services/subtasks.ts';
import { tasks } from '../services/tasks.ts';

export const SubtaskPath = z.object({ workspace_id: z.string(), task_id: z.string(), subtask_id: z.string() });

/** The task and its subtask the path names; another client's, or another task's, is "not found". */
export async function subtaskAt(client: Client, path: z.infer<typeof SubtaskPath>): Promise<{ task: Task; subtask: Task }> {
  const task = await tasks.require(client, path.task_id, path.workspace_id);
  return { task, subtask: await subtasks.require(client, task, path.subtask_id) };
}

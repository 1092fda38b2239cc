import * as z from 'zod/mini';
import { subtasks, subtaskIdOf } from '../services/subtasks.ts';
import { tasks } from '../services/tasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { pageOf, paging, statusList, utcTime } from './fields.ts';
import { subtaskDto } from './subtask-view.ts';
import { kmpState, kmpTime } from './task-view.ts';
import { TaskPath } from './update-task.ts';

const ListQuery = z.object({
  ...paging,
  subtask_id: z.optional(z.string()),
  subtask_name: z.optional(z.string()),
  subtask_status: statusList,
  create_time_from: utcTime('create_time_from'),
  create_time_to: utcTime('create_time_to'),
  update_time_from: utcTime('update_time_from'),
  update_time_to: utcTime('update_time_to'),
});

const within = (time: string | undefined, from?: string, to?: string) => (!from || (time ?? '') >= from) && (!to || (time ?? '') <= to);

/** GET …/tasks/{task_id}/subtasks: `{subtasks, page}`, oldest first (a task has at most 10). */
export const route = kmpDialect.route(
  { summary: "List a task's subtasks", path: TaskPath, query: ListQuery },
  async ({ client, path, query }) => {
    const task = await tasks.require(client, path.task_id, path.workspace_id);
    const { offset, limit } = pageOf(query);
    const name = query.subtask_name?.toLocaleLowerCase('en-US');
    const matching = (await subtasks.list(task))
      .filter((subtask) => !query.subtask_id || subtaskIdOf(subtask) === query.subtask_id)
      .filter((subtask) => !name || (subtask.name ?? '').toLocaleLowerCase('en-US').includes(name))
      .filter((subtask) => !query.subtask_status?.length || query.subtask_status.includes(kmpState(subtask.state)))
      .filter((subtask) => within(kmpTime(subtask.createdAt), query.create_time_from, query.create_time_to))
      .filter((subtask) => within(kmpTime(subtask.updatedAt), query.update_time_from, query.update_time_to));
    return kmpOk({
      subtasks: matching.slice(offset, offset + limit).map((subtask) => subtaskDto(client, task, subtask)),
      page: { offset, limit, total: matching.length },
    });
  },
);

export const handler = route.handler;

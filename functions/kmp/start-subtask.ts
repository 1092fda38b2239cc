import { subtasks } from '../services/subtasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { SubtaskPath, subtaskAt } from './subtask-path.ts';
import { subtaskDto } from './subtask-view.ts';

/** POST …/subtasks/{subtask_id}/start: from UPLOAD_SUCCESS, STOP_SUCCESS or FAILED into the pipeline. */
export const route = kmpDialect.route(
  { summary: 'Start a subtask whose upload succeeded', path: SubtaskPath },
  async ({ client, path }) => {
    const { task, subtask } = await subtaskAt(client, path);
    return kmpOk(subtaskDto(client, task, await subtasks.start(client, task, subtask)));
  },
);

export const handler = route.handler;

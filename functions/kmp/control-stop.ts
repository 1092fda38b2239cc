import { tasks } from '../services/tasks.ts';
import { IdBody, taskById } from './control-action.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';

/** POST /v1/kmp-control/tasks/stop `{id}` → true. */
export const route = kmpDialect.route(
  { summary: 'Stop a task by id (satellite family)', body: { json: IdBody } },
  async ({ client, body }) => {
    await tasks.act(await taskById(client, body), 'stop');
    return kmpTrue();
  },
);

export const handler = route.handler;

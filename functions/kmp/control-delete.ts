import { tasks } from '../services/tasks.ts';
import { IdBody, taskById } from './control-action.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';

/** DELETE /v1/kmp-control/tasks `{id}` (a DELETE with a JSON body, as the SDK sends it) → true. */
export const route = kmpDialect.route(
  { summary: 'Delete a task by id (satellite family)', body: { json: IdBody } },
  async ({ client, body }) => {
    await tasks.delete(await taskById(client, body));
    return kmpTrue();
  },
);

export const handler = route.handler;

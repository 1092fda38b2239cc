import * as z from 'zod/mini';
import { tasks } from '../services/tasks.ts';
import { IdBody, taskById } from './control-action.ts';
import { kmpDialect } from './dialect.ts';
import { kmpTrue } from './envelope.ts';
import { booleanValue } from './fields.ts';

/** POST /v1/kmp-control/tasks/archive?archived=true|false `{id}` → true. */
export const route = kmpDialect.route(
  {
    summary: 'Archive a finished task by id, or bring it back (satellite family)',
    query: z.object({ archived: booleanValue('archived') }),
    body: { json: IdBody },
  },
  async ({ client, query, body }) => {
    await tasks.act(await taskById(client, body), query.archived ? 'archive' : 'unarchive');
    return kmpTrue();
  },
);

export const handler = route.handler;

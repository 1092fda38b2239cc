import * as z from 'zod/mini';
import { picQueueOf } from '../services/pic-queues.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { idList } from './fields.ts';
import { queueDetail, queueIdOf } from './queues.ts';

const QueueQuery = z.object({
  queueIds: z.optional(z.string()),
  state: z.optional(z.enum(['Active', 'Paused'], { error: 'state must be Active or Paused' })),
  pageNumber: z.optional(z.string()),
  pageSize: z.optional(z.string()),
});

/** GET /picqueue?queueIds=&state=&pageNumber=&pageSize=: the client's pic queue. */
export const route = ciDialect.route(
  { summary: "Describe the client's pic queue", query: QueueQuery },
  async ({ event, client, query }) => {
    const queue = picQueueOf(client);
    const ids = query.queueIds === undefined ? undefined : idList(query.queueIds);
    const shown = (!ids || ids.includes(queueIdOf(client))) && (!query.state || query.state === queue.state);
    const missing = ids?.filter((id) => id !== queueIdOf(client)) ?? [];
    return ciResponse(event, 'Response', {
      RequestId: event.requestContext.requestId,
      TotalCount: shown ? '1' : '0',
      PageNumber: query.pageNumber ?? '1',
      PageSize: query.pageSize ?? '10',
      ...(shown ? { QueueList: queueDetail(client, queue) } : {}),
      ...(missing.length ? { NonExistPIDs: missing.join(',') } : {}),
    });
  },
);

export const handler = route.handler;

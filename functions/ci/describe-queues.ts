import { invalidInput } from '../core/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { queueDetail, queueIdOf } from './queues.ts';
import { picQueueOf } from '../services/pic-queues.ts';
import { authenticateCos, queryOf } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';

/** GET /picqueue?queueIds=&state=&pageNumber=&pageSize=: the client's pic queue. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const query = queryOf(event);
  if (query.state && query.state !== 'Active' && query.state !== 'Paused') throw invalidInput('state must be Active or Paused');
  const queue = picQueueOf(client);
  const ids = query.queueIds?.split(',').filter(Boolean);
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
}, ciError);

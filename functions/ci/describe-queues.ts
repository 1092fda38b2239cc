import * as z from 'zod/mini';
import { picQueueOf } from '../services/pic-queues.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { idList } from './fields.ts';
import { queueDetail, queueIdOf } from './queues.ts';

/** A page parameter: a whole number from 1 to `max`; empty (as cos-python-sdk-v5 sends it by default) or absent: `fallback`. */
const page = (name: string, max: number, fallback: number) =>
  z.pipe(
    z.optional(z.string()),
    z.pipe(
      z.transform((value: string | undefined) => (value === undefined || value === '' ? fallback : Number(value))),
      z
        .number()
        .check(
          z.refine((value) => Number.isInteger(value) && value >= 1 && value <= max, `${name} must be a whole number from 1 to ${max}`),
        ),
    ),
  );

/**
 * Tencent's SDKs send every parameter, empty when not set: cos-python-sdk-v5's
 * ci_get_media_pic_queue sends `queueIds=&state=All&pageNumber=&pageSize=` by default. An empty
 * queueIds and state `All` (or empty) filter nothing.
 */
const QueueQuery = z.object({
  queueIds: z.optional(z.string()),
  state: z.optional(
    z.pipe(
      z.enum(['All', 'Active', 'Paused', ''], { error: 'state must be Active, Paused or All' }),
      z.transform((state) => (state === 'Active' || state === 'Paused' ? state : undefined)),
    ),
  ),
  pageNumber: page('pageNumber', 1_000_000, 1),
  pageSize: page('pageSize', 100, 10),
});

/** GET /picqueue?queueIds=&state=&pageNumber=&pageSize=: the client's pic queue (its only one). */
export const route = ciDialect.route(
  { summary: "Describe the client's pic queue", query: QueueQuery },
  async ({ event, client, query }) => {
    const queue = picQueueOf(client);
    const ids = idList(query.queueIds);
    const own = queueIdOf(client);
    const matches = (ids.length === 0 || ids.includes(own)) && (!query.state || query.state === queue.state);
    const shown = matches && query.pageNumber === 1;
    const missing = ids.filter((id) => id !== own);
    return ciResponse(event, 'Response', {
      RequestId: event.requestContext.requestId,
      TotalCount: matches ? '1' : '0',
      PageNumber: String(query.pageNumber),
      PageSize: String(query.pageSize),
      ...(shown ? { QueueList: queueDetail(client, queue) } : {}),
      ...(missing.length ? { NonExistPIDs: missing.join(',') } : {}),
    });
  },
);

export const handler = route.handler;

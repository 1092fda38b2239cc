import type { Client, PicQueue } from '../core/client.ts';
import { ciTime } from './jobs-detail.ts';

/** The one pic queue each client has, named like Tencent's QueueIds ("p" + 32 hex). */
export const queueIdOf = (client: Pick<Client, 'clientId'>) =>
  `p${Buffer.from(client.clientId).toString('hex').padEnd(32, '0').slice(0, 32)}`;

/** A pic queue as Tencent shows it (reference §2.7). */
export function queueDetail(client: Client, queue: PicQueue): Record<string, unknown> {
  return {
    QueueId: queueIdOf(client),
    Name: queue.name,
    State: queue.state,
    NotifyConfig: {
      ...(queue.notify.url ? { Url: queue.notify.url } : {}),
      Event: 'TaskFinish',
      Type: 'Url',
      State: queue.notify.state,
      ResultFormat: queue.notify.resultFormat,
    },
    MaxSize: '10000',
    MaxConcurrent: '10',
    UpdateTime: ciTime(queue.updatedAt),
    CreateTime: ciTime(client.createdAt),
    Category: 'PicProcessing',
  };
}

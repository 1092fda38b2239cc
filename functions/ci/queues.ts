import type { Client, PicQueue } from '../core/client.ts';
import { ciTime } from './jobs-detail.ts';
import { queueIdOf } from '../services/pic-jobs.ts';

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

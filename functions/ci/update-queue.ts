import * as z from 'zod/mini';
import { invalidInput, notFound } from '../core/errors.ts';
import { updatePicQueue } from '../services/pic-queues.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { element, optionalText, text } from './fields.ts';
import { queueDetail, queueIdOf } from './queues.ts';

const QueueRequest = z.object(
  {
    Name: z.pipe(
      z.optional(text),
      z.custom<string>((name) => typeof name === 'string' && /^[\p{Script=Han}A-Za-z0-9_*-]{1,128}$/u.test(name), {
        error: 'Name must be 1-128 Chinese characters, letters, digits, "_", "-" or "*"',
      }),
    ),
    State: z.pipe(z.optional(text), z.enum(['Active', 'Paused'], { error: 'State must be Active or Paused' })),
    NotifyConfig: element('NotifyConfig', {
      State: z.optional(z.pipe(text, z.enum(['On', 'Off'], { error: 'NotifyConfig.State must be On or Off' }))),
      ResultFormat: z.optional(z.pipe(text, z.enum(['XML', 'JSON'], { error: 'NotifyConfig.ResultFormat must be XML or JSON' }))),
      Type: z.optional(z.pipe(text, z.enum(['Url'], { error: 'NotifyConfig.Type must be Url' }))),
      Url: optionalText,
    }),
  },
  { error: 'the body must be a <Request> element' },
);

/** PUT (or POST, as Tencent's own demos send) /picqueue/<id>: Name, State Active|Paused, NotifyConfig. */
export const route = ciDialect.route(
  {
    summary: "Pause or resume the client's pic queue, and set where it notifies",
    path: z.object({ queueId: z.string() }),
    body: { request: QueueRequest },
  },
  async ({ event, client, path, body }) => {
    if (path.queueId !== queueIdOf(client)) throw notFound(`queue ${path.queueId} does not exist`, 'NoSuchQueue');
    const notify = body.NotifyConfig ?? {};
    const notifyState = notify.State ?? 'Off';
    if (notifyState === 'On' && !notify.Url) throw invalidInput('NotifyConfig.Url is required when NotifyConfig.State is On');
    const queue = await updatePicQueue(client, {
      name: body.Name,
      state: body.State,
      notify: { state: notifyState, resultFormat: notify.ResultFormat ?? 'XML', ...(notify.Url ? { url: notify.Url } : {}) },
    });
    return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, Queue: queueDetail(client, queue) });
  },
);

export const handler = route.handler;

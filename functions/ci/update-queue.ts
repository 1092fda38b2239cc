import { invalidInput, notFound } from '../core/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { queueDetail, queueIdOf } from './queues.ts';
import { updatePicQueue } from '../services/pic-queues.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { readRequest } from './job-request.ts';
import { node, text } from './request-fields.ts';

/** PUT (or POST, as Tencent's own demos send) /picqueue/<id>: Name, State Active|Paused, NotifyConfig. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  if (event.pathParameters?.queueId !== queueIdOf(client)) throw notFound(`queue ${event.pathParameters?.queueId} does not exist`, 'NoSuchQueue');
  const request = readRequest(event);
  const name = text(request.Name) ?? '';
  if (!/^[\p{Script=Han}A-Za-z0-9_*-]{1,128}$/u.test(name)) throw invalidInput('Name must be 1-128 Chinese characters, letters, digits, "_", "-" or "*"');
  const state = text(request.State);
  if (state !== 'Active' && state !== 'Paused') throw invalidInput('State must be Active or Paused');
  const notify = node(request.NotifyConfig);
  const notifyState = text(notify.State) ?? 'Off';
  if (notifyState !== 'On' && notifyState !== 'Off') throw invalidInput('NotifyConfig.State must be On or Off');
  const resultFormat = text(notify.ResultFormat) ?? 'XML';
  if (resultFormat !== 'XML' && resultFormat !== 'JSON') throw invalidInput('NotifyConfig.ResultFormat must be XML or JSON');
  if (notifyState === 'On') {
    if ((text(notify.Type) ?? 'Url') !== 'Url') throw invalidInput('NotifyConfig.Type must be Url');
    if (!text(notify.Url)) throw invalidInput('NotifyConfig.Url is required when NotifyConfig.State is On');
  }
  const queue = await updatePicQueue(client, {
    name,
    state,
    notify: { state: notifyState, resultFormat, ...(text(notify.Url) ? { url: text(notify.Url) } : {}) },
  });
  return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, Queue: queueDetail(client, queue) });
}, ciError);

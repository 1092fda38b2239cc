import { httpHandler } from '../http/http-handler.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { readRequest } from './job-request.ts';
import { readTemplateRequest, templateDetail } from './template-request.ts';

/** POST /template: a PicProcess template (its rule validated now). */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const template = await picTemplates.create(client, readTemplateRequest(readRequest(event)));
  return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, Template: templateDetail(client, template) });
}, ciError);

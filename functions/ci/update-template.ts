import { httpHandler } from '../http/http-handler.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { readRequest } from './job-request.ts';
import { readTemplateRequest, templateDetail } from './template-request.ts';

/** PUT /template/<id>: replaces a template's name and rule. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const templateId = event.pathParameters?.templateId ?? '';
  await picTemplates.require(client, templateId);
  const template = await picTemplates.update(client, templateId, readTemplateRequest(readRequest(event)));
  return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, Template: templateDetail(client, template) });
}, ciError);

import { httpHandler } from '../http/http-handler.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { authenticateCos } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';

/** DELETE /template/<id>. Jobs already submitted with it keep the rule they copied. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const templateId = event.pathParameters?.templateId ?? '';
  await picTemplates.require(client, templateId);
  await picTemplates.delete(client, templateId);
  return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, TemplateId: templateId });
}, ciError);

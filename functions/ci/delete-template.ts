import { picTemplates } from '../services/pic-templates.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { TemplatePath } from './update-template.ts';

/** DELETE /template/<id>. Jobs already submitted with it keep the rule they copied. */
export const route = ciDialect.route(
  { summary: 'Delete a template (jobs keep the rule they copied)', path: TemplatePath },
  async ({ event, client, path }) => {
    await picTemplates.require(client, path.templateId);
    await picTemplates.delete(client, path.templateId);
    return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, TemplateId: path.templateId });
  },
);

export const handler = route.handler;

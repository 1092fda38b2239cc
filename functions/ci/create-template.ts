import { picTemplates } from '../services/pic-templates.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { templateDetail, templateFieldsOf, TemplateRequest } from './template-request.ts';

/** POST /template: a PicProcess template (its rule validated now). */
export const route = ciDialect.route(
  { summary: 'Create a PicProcess template', body: { request: TemplateRequest } },
  async ({ event, client, body }) => {
    const template = await picTemplates.create(client, templateFieldsOf(body));
    return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, Template: templateDetail(client, template) });
  },
);

export const handler = route.handler;

import * as z from 'zod/mini';
import { picTemplates } from '../services/pic-templates.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { templateDetail, templateFieldsOf, TemplateRequest } from './template-request.ts';

export const TemplatePath = z.object({ templateId: z.string() });

/** PUT /template/<id>: replaces a template's name and rule. */
export const route = ciDialect.route(
  { summary: "Replace a template's name and rule", path: TemplatePath, body: { request: TemplateRequest } },
  async ({ event, client, path, body }) => {
    await picTemplates.require(client, path.templateId);
    const template = await picTemplates.update(client, path.templateId, templateFieldsOf(body));
    return ciResponse(event, 'Response', { RequestId: event.requestContext.requestId, Template: templateDetail(client, template) });
  },
);

export const handler = route.handler;

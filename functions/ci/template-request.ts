import * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import type { PicTemplate } from '../core/pic-template.ts';
import type { TemplateFields } from '../services/pic-templates.ts';
import { flag, optionalText, text } from './fields.ts';
import { picProcessTag } from './job-request.ts';
import { ciTime } from './jobs-detail.ts';

/** `<Request><Tag>PicProcess</Tag><Name/><PicProcess><IsPicInfo/><ProcessRule/></PicProcess></Request>` */
export const TemplateRequest = z.object(
  {
    Tag: picProcessTag,
    Name: optionalText,
    PicProcess: z.object(
      {
        IsPicInfo: flag('PicProcess.IsPicInfo'),
        ProcessRule: z.pipe(
          z.optional(text),
          z.custom<string>((rule) => Boolean(rule), { error: 'PicProcess.ProcessRule is required' }),
        ),
      },
      { error: 'PicProcess.ProcessRule is required' },
    ),
  },
  { error: 'the body must be a <Request> element' },
);

/** The service's view of a checked template request. */
export const templateFieldsOf = (request: z.infer<typeof TemplateRequest>): TemplateFields => ({
  name: request.Name ?? '',
  isPicInfo: request.PicProcess.IsPicInfo === 'true',
  processRule: request.PicProcess.ProcessRule,
});

/** A template as Tencent shows it (reference §2.6). */
export function templateDetail(client: Client, template: PicTemplate): Record<string, unknown> {
  return {
    Tag: template.tag,
    TemplateId: template.templateId,
    Name: template.name,
    BucketId: client.cosBuckets?.[0]?.bucket ?? '',
    Category: 'Custom',
    PicProcess: { IsPicInfo: String(template.isPicInfo), ProcessRule: template.processRule },
    CreateTime: ciTime(template.createdAt),
    UpdateTime: ciTime(template.updatedAt),
  };
}

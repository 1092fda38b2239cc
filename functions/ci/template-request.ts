import { invalidInput } from '../core/errors.ts';
import type { PicTemplate } from '../adapters/template-store.ts';
import type { Client } from '../core/client.ts';
import type { TemplateFields } from '../services/pic-templates.ts';
import { ciTime } from './jobs-detail.ts';
import { node, text, type Node } from './request-fields.ts';

/** `<Request><Tag>PicProcess</Tag><Name/><PicProcess><IsPicInfo/><ProcessRule/></PicProcess></Request>` */
export function readTemplateRequest(request: Node): TemplateFields {
  const tag = text(request.Tag);
  if (tag !== 'PicProcess') throw invalidInput(tag ? `Tag ${tag} is not supported; only PicProcess` : 'Tag is required (PicProcess)');
  const picProcess = node(request.PicProcess);
  const info = text(picProcess.IsPicInfo) ?? 'false';
  if (info !== 'true' && info !== 'false') throw invalidInput('PicProcess.IsPicInfo must be true or false');
  const processRule = text(picProcess.ProcessRule);
  if (!processRule) throw invalidInput('PicProcess.ProcessRule is required');
  return { name: text(request.Name) ?? '', isPicInfo: info === 'true', processRule };
}

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

import type { Client } from '../core/client.ts';
import { invalidInput, notFound } from '../core/errors.ts';
import { parseRule } from '../core/imagemogr2/parse.ts';
import { newTaskId } from '../core/task-id.ts';
import type { PicTemplate } from '../core/pic-template.ts';
import { templateStore } from '../adapters/template-store.ts';

// Tencent: Chinese, English letters, digits, "_", "-" and "*", at most 64.
const NAME = /^[\p{Script=Han}A-Za-z0-9_*-]{1,64}$/u;

export interface TemplateFields {
  readonly name: string;
  readonly isPicInfo: boolean;
  readonly processRule: string;
}

function check(fields: TemplateFields): TemplateFields {
  if (!NAME.test(fields.name)) throw invalidInput('Name must be 1-64 Chinese characters, letters, digits, "_", "-" or "*"');
  parseRule(fields.processRule);
  return fields;
}

export const picTemplates = {
  async create(client: Client, fields: TemplateFields): Promise<PicTemplate> {
    const now = new Date().toISOString();
    const template: PicTemplate = {
      clientId: client.clientId,
      templateId: newTaskId('t'),
      tag: 'PicProcess',
      ...check(fields),
      createdAt: now,
      updatedAt: now,
    };
    await templateStore.create(template);
    return template;
  },

  async require(client: Client, templateId: string): Promise<PicTemplate> {
    const template = /^t[0-9a-f]{32}$/.test(templateId) ? await templateStore.get(client.clientId, templateId) : undefined;
    if (!template) throw notFound(`template ${templateId} does not exist`, 'NoSuchTemplate');
    return template;
  },

  update: (client: Client, templateId: string, fields: TemplateFields) => templateStore.update(client.clientId, templateId, check(fields)),

  delete: (client: Client, templateId: string) => templateStore.delete(client.clientId, templateId),

  /** Tencent's describe: filter by ids and name prefix, page by number and size (1–100). */
  async describe(client: Client, filter: { ids?: readonly string[]; namePrefix?: string; pageNumber: number; pageSize: number }) {
    const matching = (await templateStore.list(client.clientId))
      .filter((template) => !filter.ids || filter.ids.includes(template.templateId))
      .filter((template) => !filter.namePrefix || template.name.startsWith(filter.namePrefix))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const start = (filter.pageNumber - 1) * filter.pageSize;
    return { total: matching.length, templates: matching.slice(start, start + filter.pageSize) };
  },
};

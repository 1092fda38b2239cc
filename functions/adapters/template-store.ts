import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../core/errors.ts';
import type { PicTemplate } from '../core/pic-template.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
import { queryAll } from './dynamo-pages.ts';

const noSuchTemplate = (templateId: string) => notFound(`template ${templateId} does not exist`, 'NoSuchTemplate');

/** PicProcess templates, one partition per client; changes are conditional on the template existing. */
export const templateStore = {
  async create(template: PicTemplate): Promise<void> {
    const created = await conditionalWrite({
      put: { TableName: tableName('templates'), Item: template, ConditionExpression: 'attribute_not_exists(templateId)' },
    });
    if (!created.won) throw conflict(`template ${template.templateId} already exists`);
  },

  async get(clientId: string, templateId: string): Promise<PicTemplate | undefined> {
    const result = await dynamo().send(
      new GetCommand({ TableName: tableName('templates'), Key: { clientId, templateId }, ConsistentRead: true }),
    );
    return result.Item as PicTemplate | undefined;
  },

  async update(
    clientId: string,
    templateId: string,
    change: Pick<PicTemplate, 'name' | 'isPicInfo' | 'processRule'>,
  ): Promise<PicTemplate> {
    const updated = await conditionalWrite<PicTemplate>({
      update: {
        TableName: tableName('templates'),
        Key: { clientId, templateId },
        UpdateExpression: 'SET #name = :name, isPicInfo = :info, processRule = :rule, updatedAt = :now',
        ConditionExpression: 'attribute_exists(templateId)',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: {
          ':name': change.name,
          ':info': change.isPicInfo,
          ':rule': change.processRule,
          ':now': new Date().toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      },
    });
    if (!updated.won) throw noSuchTemplate(templateId);
    return updated.item!;
  },

  async delete(clientId: string, templateId: string): Promise<void> {
    const deleted = await conditionalWrite({
      delete: { TableName: tableName('templates'), Key: { clientId, templateId }, ConditionExpression: 'attribute_exists(templateId)' },
    });
    if (!deleted.won) throw noSuchTemplate(templateId);
  },

  list: (clientId: string) =>
    queryAll<PicTemplate>({
      TableName: tableName('templates'),
      KeyConditionExpression: 'clientId = :client',
      ExpressionAttributeValues: { ':client': clientId },
      ConsistentRead: true,
    }),
};

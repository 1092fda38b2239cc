import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { notFound } from '../core/errors.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { isConditionFailure } from './dynamo-errors.ts';
import { queryAll } from './dynamo-pages.ts';

export interface PicTemplate {
  readonly clientId: string;
  readonly templateId: string;
  readonly name: string;
  readonly tag: 'PicProcess';
  readonly isPicInfo: boolean;
  readonly processRule: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** PicProcess templates, one partition per client; changes are conditional on the template existing. */
export const templateStore = {
  async create(template: PicTemplate): Promise<void> {
    await dynamo().send(
      new PutCommand({ TableName: tableName('templates'), Item: template, ConditionExpression: 'attribute_not_exists(templateId)' }),
    );
  },

  async get(clientId: string, templateId: string): Promise<PicTemplate | undefined> {
    const result = await dynamo().send(new GetCommand({ TableName: tableName('templates'), Key: { clientId, templateId }, ConsistentRead: true }));
    return result.Item as PicTemplate | undefined;
  },

  async update(clientId: string, templateId: string, change: Pick<PicTemplate, 'name' | 'isPicInfo' | 'processRule'>): Promise<PicTemplate> {
    try {
      const result = await dynamo().send(
        new UpdateCommand({
          TableName: tableName('templates'),
          Key: { clientId, templateId },
          UpdateExpression: 'SET #name = :name, isPicInfo = :info, processRule = :rule, updatedAt = :now',
          ConditionExpression: 'attribute_exists(templateId)',
          ExpressionAttributeNames: { '#name': 'name' },
          ExpressionAttributeValues: { ':name': change.name, ':info': change.isPicInfo, ':rule': change.processRule, ':now': new Date().toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as PicTemplate;
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(`template ${templateId} does not exist`, 'NoSuchTemplate');
      throw error;
    }
  },

  async delete(clientId: string, templateId: string): Promise<void> {
    try {
      await dynamo().send(new DeleteCommand({ TableName: tableName('templates'), Key: { clientId, templateId }, ConditionExpression: 'attribute_exists(templateId)' }));
    } catch (error) {
      if (isConditionFailure(error)) throw notFound(`template ${templateId} does not exist`, 'NoSuchTemplate');
      throw error;
    }
  },

  list: (clientId: string) =>
    queryAll<PicTemplate>({
      TableName: tableName('templates'),
      KeyConditionExpression: 'clientId = :client',
      ExpressionAttributeValues: { ':client': clientId },
      ConsistentRead: true,
    }),
};

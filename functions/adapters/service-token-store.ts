import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { conflict, notFound } from '../core/errors.ts';
import { MAX_SERVICE_TOKENS, newServiceToken, newServiceTokenId, serviceTokenHash } from '../core/service-token.ts';
import { tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
import { readTokenItem } from './token-store.ts';

/**
 * Service tokens in the tokens table: `service#<sha256>` names the client a token belongs to (the
 * one read a request costs), and `services#<client id>` lists the client's tokens as
 * "<token id>:<sha256>" in a string set with a count, so the 25-token limit holds in one
 * conditional write. A token is listed before it exists and unlisted after it is gone, so a crash
 * between the two writes leaves at worst a listed token that cannot be used, which revoke clears.
 */
export interface ServiceTokenRecord {
  readonly tokenId: string;
  readonly clientId: string;
  readonly label: string;
  readonly createdAt: string;
}

const tokenItem = (hash: string) => `service#${hash}`;
const listItem = (clientId: string) => `services#${clientId}`;

async function listed(clientId: string): Promise<Array<{ tokenId: string; hash: string; entry: string }>> {
  const list = await readTokenItem<{ entries?: Set<string> }>(listItem(clientId));
  return [...(list?.entries ?? [])].map((entry) => {
    const [tokenId, hash] = entry.split(':') as [string, string];
    return { tokenId, hash, entry };
  });
}

/** The token whose hash this is, without the table's key. */
async function recordOf(hash: string): Promise<ServiceTokenRecord | undefined> {
  const item = await readTokenItem<ServiceTokenRecord & { tokenKey: string }>(tokenItem(hash));
  if (!item) return undefined;
  const { tokenKey: _key, ...record } = item;
  return record;
}

export const serviceTokens = {
  /** Makes a token for the client; the token itself is in the answer only. */
  async create(clientId: string, label: string, now = new Date()): Promise<{ token: string; record: ServiceTokenRecord }> {
    const token = newServiceToken();
    const hash = serviceTokenHash(token);
    const record: ServiceTokenRecord = { tokenId: newServiceTokenId(), clientId, label, createdAt: now.toISOString() };
    const listing = await conditionalWrite({
      update: {
        TableName: tableName('tokens'),
        Key: { tokenKey: listItem(clientId) },
        UpdateExpression: 'ADD entries :entry, tokenCount :one',
        ConditionExpression: 'attribute_not_exists(tokenCount) OR tokenCount < :max',
        ExpressionAttributeValues: { ':entry': new Set([`${record.tokenId}:${hash}`]), ':one': 1, ':max': MAX_SERVICE_TOKENS },
      },
    });
    if (!listing.won) throw conflict(`client ${clientId} already has ${MAX_SERVICE_TOKENS} service tokens: revoke one first`);
    await dynamo().send(new PutCommand({ TableName: tableName('tokens'), Item: { tokenKey: tokenItem(hash), ...record } }));
    return { token, record };
  },

  /** The client a token belongs to, or undefined: one consistent read. */
  find: (token: string): Promise<ServiceTokenRecord | undefined> => recordOf(serviceTokenHash(token)),

  async list(clientId: string): Promise<ServiceTokenRecord[]> {
    const records = await Promise.all((await listed(clientId)).map(({ hash }) => recordOf(hash)));
    return records.filter((record) => record !== undefined);
  },

  async revoke(clientId: string, tokenId: string): Promise<void> {
    const found = (await listed(clientId)).find((entry) => entry.tokenId === tokenId);
    if (!found) throw notFound(`client ${clientId} has no service token ${tokenId}`);
    await dynamo().send(new DeleteCommand({ TableName: tableName('tokens'), Key: { tokenKey: tokenItem(found.hash) } }));
    await conditionalWrite({
      update: {
        TableName: tableName('tokens'),
        Key: { tokenKey: listItem(clientId) },
        UpdateExpression: 'DELETE entries :entry ADD tokenCount :minusOne',
        ConditionExpression: 'contains(entries, :listed)',
        ExpressionAttributeValues: { ':entry': new Set([found.entry]), ':listed': found.entry, ':minusOne': -1 },
      },
    });
  },
};

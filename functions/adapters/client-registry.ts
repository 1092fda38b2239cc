import { GetCommand, QueryCommand, ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { CLIENT_ID_PATTERN, type Client } from '../core/client.ts';
import { conflict, invalidInput, notFound } from '../core/errors.ts';
import { validateNamespace } from '../core/object-name.ts';
import { constantTimeEqual, generateClientId, generateSecret, secretLookupHash } from '../core/secret.ts';
import { TABLES, tableName } from '../resources.ts';
import { dynamo } from './aws-clients.ts';
import { conditionalWrite } from './conditional-write.ts';
import { secretSealer } from './secret-sealer.ts';

interface ClientRecord extends Client {
  readonly secretHash: string;
  readonly sealedSecret: string;
}

export interface NewClient {
  readonly clientId?: string;
  readonly name: string;
  readonly namespaces: readonly string[];
  readonly workspaces?: readonly string[];
  readonly cosBuckets?: Client['cosBuckets'];
  readonly publicNamespaces?: readonly string[];
  /** Only for fixed local demo credentials; otherwise a random secret is generated. */
  readonly secret?: string;
}

const openedSecrets = new Map<string, { version: number; secret: string }>();

/** publicNamespaces is a string set in DynamoDB (so it can change atomically); a sorted list here. */
type StoredRecord = Omit<ClientRecord, 'publicNamespaces'> & { readonly publicNamespaces?: ReadonlySet<string> | readonly string[] };

const toClient = ({ secretHash: _hash, sealedSecret: _sealed, publicNamespaces, ...client }: StoredRecord): Client => ({
  ...client,
  publicNamespaces: [...(publicNamespaces ?? [])].sort(),
});

/** The client registry in DynamoDB: every change is a conditional write on the client's item. */
export const clientRegistry = {
  async create(input: NewClient): Promise<{ client: Client; secret: string }> {
    const clientId = input.clientId ?? generateClientId();
    if (!CLIENT_ID_PATTERN.test(clientId))
      throw invalidInput('a client id is 1-64 letters, digits, "_" or "-", starting with a letter or digit');
    const secret = input.secret ?? generateSecret();
    for (const namespace of input.publicNamespaces ?? []) {
      if (!input.namespaces.includes(namespace)) throw invalidInput(`public namespace ${namespace} is not one the client owns`);
    }
    const record: StoredRecord = {
      ...(input.publicNamespaces?.length ? { publicNamespaces: new Set(input.publicNamespaces) } : {}),
      clientId,
      name: input.name,
      status: 'active',
      namespaces: input.namespaces.map(validateNamespace),
      workspaces: [...(input.workspaces ?? [])],
      cosBuckets: (input.cosBuckets ?? []).map((entry) => {
        if (!input.namespaces.includes(entry.namespace))
          throw invalidInput(`COS bucket ${entry.bucket} maps to namespace ${entry.namespace}, which the client does not own`);
        return entry;
      }),
      createdAt: new Date().toISOString(),
      secretVersion: 1,
      secretHash: secretLookupHash(secret),
      sealedSecret: await secretSealer().seal(secret, clientId),
    };
    const created = await conditionalWrite({
      put: { TableName: tableName('clients'), Item: record, ConditionExpression: 'attribute_not_exists(clientId)' },
    });
    if (!created.won) throw conflict(`client ${clientId} already exists`);
    return { client: toClient(record), secret };
  },

  async get(clientId: string): Promise<Client | undefined> {
    const record = await this.getRecord(clientId);
    return record && toClient(record);
  },

  /** The stored client; an id no client could have (too long, odd characters) is never looked up. */
  async getRecord(clientId: string): Promise<StoredRecord | undefined> {
    if (!CLIENT_ID_PATTERN.test(clientId)) return undefined;
    const result = await dynamo().send(new GetCommand({ TableName: tableName('clients'), Key: { clientId }, ConsistentRead: true }));
    return result.Item as StoredRecord | undefined;
  },

  /**
   * Finds the client a secret belongs to. The index is eventually consistent, so the match is
   * confirmed against a strongly consistent read of the item: a rotated secret stops working at once.
   */
  async findBySecret(secret: string): Promise<Client | undefined> {
    const hash = secretLookupHash(secret);
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName('clients'),
        IndexName: TABLES.clients.indexes[0].name,
        KeyConditionExpression: 'secretHash = :hash',
        ExpressionAttributeValues: { ':hash': hash },
        Limit: 2,
      }),
    );
    for (const item of result.Items ?? []) {
      const record = await this.getRecord(String(item.clientId));
      if (record && constantTimeEqual(record.secretHash, hash)) return toClient(record);
    }
    return undefined;
  },

  async openSecret(clientId: string): Promise<string | undefined> {
    return (await this.withSecret(clientId))?.secret;
  },

  /**
   * The client and its secret in the clear, for verifying HMAC signatures. The opened secret is
   * kept in memory per secret version, so KMS is asked once per client per container, and a
   * rotation takes effect on the next request.
   */
  async withSecret(clientId: string): Promise<{ client: Client; secret: string } | undefined> {
    const record = await this.getRecord(clientId);
    if (!record) return undefined;
    const cached = openedSecrets.get(clientId);
    if (cached?.version === record.secretVersion) return { client: toClient(record), secret: cached.secret };
    const secret = await secretSealer().open(record.sealedSecret, clientId);
    openedSecrets.set(clientId, { version: record.secretVersion, secret });
    return { client: toClient(record), secret };
  },

  async list(): Promise<Client[]> {
    const clients: Client[] = [];
    let startKey: ScanCommandOutput['LastEvaluatedKey'];
    do {
      const page = await dynamo().send(new ScanCommand({ TableName: tableName('clients'), ExclusiveStartKey: startKey }));
      clients.push(...((page.Items ?? []) as StoredRecord[]).map(toClient));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return clients.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  },

  async rotate(clientId: string): Promise<string> {
    const current = await this.getRecord(clientId);
    if (!current) throw notFound(`no client ${clientId}`);
    const secret = generateSecret();
    const rotated = await conditionalWrite({
      update: {
        TableName: tableName('clients'),
        Key: { clientId },
        UpdateExpression: 'SET secretHash = :hash, sealedSecret = :sealed, secretVersion = :next',
        ConditionExpression: 'secretVersion = :current',
        ExpressionAttributeValues: {
          ':hash': secretLookupHash(secret),
          ':sealed': await secretSealer().seal(secret, clientId),
          ':next': current.secretVersion + 1,
          ':current': current.secretVersion,
        },
      },
    });
    if (!rotated.won) throw conflict(`client ${clientId} was rotated concurrently; try again`);
    return secret;
  },

  /** Replaces the client's pic queue settings, if nobody changed them since `previousUpdatedAt`. */
  async setPicQueue(clientId: string, queue: NonNullable<Client['picQueue']>, previousUpdatedAt: string | undefined): Promise<boolean> {
    const written = await conditionalWrite({
      update: {
        TableName: tableName('clients'),
        Key: { clientId },
        UpdateExpression: 'SET picQueue = :queue',
        ConditionExpression: previousUpdatedAt
          ? 'picQueue.updatedAt = :previous'
          : 'attribute_exists(clientId) AND attribute_not_exists(picQueue)',
        ExpressionAttributeValues: { ':queue': queue, ...(previousUpdatedAt ? { ':previous': previousUpdatedAt } : {}) },
      },
    });
    return written.won;
  },

  /**
   * Marks an owned namespace public or private: one ADD or DELETE on a string set, conditional on
   * the client owning the namespace, so concurrent changes never lose each other.
   */
  async setPublic(clientId: string, namespace: string, makePublic: boolean): Promise<Client> {
    const changed = await conditionalWrite<StoredRecord>({
      update: {
        TableName: tableName('clients'),
        Key: { clientId },
        UpdateExpression: `${makePublic ? 'ADD' : 'DELETE'} publicNamespaces :namespace`,
        ConditionExpression: 'contains(namespaces, :owned)',
        ExpressionAttributeValues: { ':namespace': new Set([namespace]), ':owned': namespace },
        ReturnValues: 'ALL_NEW',
      },
    });
    if (!changed.won) throw invalidInput(`namespace ${namespace} is not one client ${clientId} owns (or there is no such client)`);
    return toClient(changed.item!);
  },

  async setStatus(clientId: string, status: Client['status']): Promise<void> {
    const changed = await conditionalWrite({
      update: {
        TableName: tableName('clients'),
        Key: { clientId },
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: 'attribute_exists(clientId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status },
      },
    });
    if (!changed.won) throw notFound(`no client ${clientId}`);
  },
};

export type ClientRegistry = typeof clientRegistry;

import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, type IndexDefinition, type KeyAttribute, type TableName } from '../../functions/resources.ts';

const attribute = (key: KeyAttribute) => ({
  name: key.name,
  type: key.type === 'S' ? AttributeType.STRING : AttributeType.NUMBER,
});

/** Every DynamoDB table in functions/resources.ts: on demand, point-in-time recovery, TTL. */
export class StateTables extends Construct {
  readonly byName: Record<TableName, TableV2>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const entries = Object.entries(TABLES).map(([name, table]) => {
      const sortKey = 'sortKey' in table ? (table.sortKey as KeyAttribute) : undefined;
      const created = new TableV2(this, table.id, {
        partitionKey: attribute(table.partitionKey),
        sortKey: sortKey && attribute(sortKey),
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: table.ttlAttribute,
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        globalSecondaryIndexes: table.indexes.map((index: IndexDefinition) => ({
          indexName: index.name,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
          ...(index.include ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.include] } : {}),
        })),
      });
      return [name, created] as const;
    });
    this.byName = Object.fromEntries(entries) as Record<TableName, TableV2>;
  }
}

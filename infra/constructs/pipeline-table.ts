import type { TableDefinition } from '@intent/resources';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/** How the table pays for its capacity: provisioned with auto scaling (the default), or on demand. */
export type TableCapacity = 'provisioned' | 'onDemand';

/**
 * The single table, built from its definition: provisioned capacity with auto scaling on the
 * table and each index (or on-demand), point-in-time recovery, TTL, the global indexes,
 * AWS-managed encryption. Retained on stack deletion: it holds the only copy of identities,
 * rollups and feedback.
 */
export function createPipelineTable(
  scope: Construct,
  definition: TableDefinition,
  capacity: TableCapacity = 'provisioned',
): dynamodb.Table {
  const provisioned = capacity === 'provisioned';
  const { table: tableRange, index: indexRange } = definition.capacity;
  const table = new dynamodb.Table(scope, definition.id, {
    partitionKey: stringKey(definition.partitionKey),
    sortKey: stringKey(definition.sortKey),
    billingMode: provisioned ? dynamodb.BillingMode.PROVISIONED : dynamodb.BillingMode.PAY_PER_REQUEST,
    ...(provisioned ? { readCapacity: tableRange.read.min, writeCapacity: tableRange.write.min } : {}),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: definition.ttlAttribute,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of definition.globalIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: stringKey(index.partitionKey),
      sortKey: stringKey(index.sortKey),
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
      ...(provisioned ? { readCapacity: indexRange.read.min, writeCapacity: indexRange.write.min } : {}),
    });
  }
  if (provisioned) autoScale(table, definition);
  return table;
}

/** Target tracking on the table's and each index's read and write capacity, within the definition's bounds. */
function autoScale(table: dynamodb.Table, definition: TableDefinition) {
  const { targetUtilizationPercent, table: tableRange, index: indexRange } = definition.capacity;
  const toScaling = (r: { min: number; max: number }) => ({ minCapacity: r.min, maxCapacity: r.max });
  table.autoScaleReadCapacity(toScaling(tableRange.read)).scaleOnUtilization({ targetUtilizationPercent });
  table.autoScaleWriteCapacity(toScaling(tableRange.write)).scaleOnUtilization({ targetUtilizationPercent });
  for (const index of definition.globalIndexes) {
    table.autoScaleGlobalSecondaryIndexReadCapacity(index.name, toScaling(indexRange.read)).scaleOnUtilization({
      targetUtilizationPercent,
    });
    table.autoScaleGlobalSecondaryIndexWriteCapacity(index.name, toScaling(indexRange.write)).scaleOnUtilization({
      targetUtilizationPercent,
    });
  }
}

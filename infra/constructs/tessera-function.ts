import { Duration, RemovalPolicy, Size, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GROUP_ACCESS, type GroupAccess } from '../../functions/access.ts';
import { grantAccess } from '../access-policy.ts';
import { SEAL_KMS_KEY_ENV } from '../../functions/adapters/secret-sealer.ts';
import { BUCKET, QUEUES, TABLES, type QueueName, type TableName } from '../../functions/resources.ts';
import { BUNDLING, PROJECT_ROOT } from '../group-entries.ts';
import type { FileStorage } from './file-storage.ts';
import type { JobQueues } from './job-queues.ts';
import type { SecretSealingKey } from './secret-sealing-key.ts';
import type { StateTables } from './state-tables.ts';

export interface SharedResources {
  readonly storage: FileStorage;
  readonly tables: StateTables;
  readonly sealingKey: SecretSealingKey;
  readonly queues: JobQueues;
  /** Where public panorama sets are served (the CloudFront distribution). */
  readonly publicBaseUrl: string;
}

export interface TesseraFunctionProps {
  /** The key of its permissions in functions/access.ts. */
  readonly access: string;
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly resources: SharedResources;
  /** The exported function name (default `handler`). */
  readonly handler?: string;
  readonly memorySize?: number;
  readonly ephemeralStorageSize?: Size;
  readonly layers?: readonly ILayerVersion[];
  /** Variables on top of sharedEnvironment (the face groups' TESSERA_FACE_* paths). */
  readonly environment?: Readonly<Record<string, string>>;
}

/** What every handler reads from its environment: the bucket, tables, queues, seal key and public base URL. */
export function sharedEnvironment({ storage, tables, sealingKey, queues, publicBaseUrl }: SharedResources): Record<string, string> {
  return {
    [BUCKET.envVar]: storage.bucket.bucketName,
    ...Object.fromEntries(Object.entries(TABLES).map(([name, table]) => [table.envVar, tables.byName[name as TableName].tableName])),
    ...Object.fromEntries(Object.entries(QUEUES).map(([name, queue]) => [queue.envVar, queues.byName[name as QueueName].queueUrl])),
    [SEAL_KMS_KEY_ENV]: sealingKey.key.keyArn,
    TESSERA_PUBLIC_BASE_URL: publicBaseUrl,
    POWERTOOLS_SERVICE_NAME: 'tessera',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/**
 * One Tessera Lambda: esbuild-bundled ESM on arm64, its own log group, and a role written by hand
 * from functions/access.ts (exact actions, no managed policies).
 */
export class TesseraFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: TesseraFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      role: new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      ...(props.ephemeralStorageSize ? { ephemeralStorageSize: props.ephemeralStorageSize } : {}),
      timeout: props.timeout,
      handler: props.handler ?? 'handler',
      layers: props.layers ? [...props.layers] : undefined,
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      description: props.description,
      environment: { ...sharedEnvironment(props.resources), ...props.environment },
      bundling: {
        ...BUNDLING,
        format: OutputFormat.ESM,
        externalModules: [...BUNDLING.externalModules],
        mainFields: [...BUNDLING.mainFields],
      },
    });
    const access = GROUP_ACCESS[props.access];
    if (!access) throw new Error(`functions/access.ts has no entry "${props.access}"`);
    this.grant(access, logGroup, props.resources);
  }

  private grant(access: GroupAccess, logGroup: LogGroup, resources: SharedResources): void {
    this.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    grantAccess(this.fn.role!, access, resources);
    Validations.of(this.fn.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    });
  }
}

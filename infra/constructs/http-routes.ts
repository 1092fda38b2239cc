import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUCKET, TABLES, type TableName } from '../../functions/resources.ts';
import { GROUP_ACCESS, ROUTES, routeGroups, type GroupAccess } from '../../functions/routes.ts';
import { SEAL_KMS_KEY_ENV } from '../../functions/adapters/secret-sealer.ts';
import { BUNDLING, PROJECT_ROOT, writeGroupEntry } from '../group-entries.ts';
import type { FileStorage } from './file-storage.ts';
import type { SecretSealingKey } from './secret-sealing-key.ts';
import type { StateTables } from './state-tables.ts';

export interface HttpRoutesProps {
  readonly storage: FileStorage;
  readonly tables: StateTables;
  readonly sealingKey: SecretSealingKey;
}

/** The HTTP API: one route per row of functions/routes.ts, one Lambda per route group. */
export class HttpRoutes extends Construct {
  readonly api: HttpApi;
  readonly functions = new Map<string, NodejsFunction>();

  get url(): string {
    return this.api.apiEndpoint;
  }

  constructor(scope: Construct, id: string, props: HttpRoutesProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', { createDefaultStage: false, description: 'Tessera: every dialect' });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 500, burstLimit: 1000 },
    });

    for (const [group, routes] of routeGroups(ROUTES)) {
      const fn = this.groupFunction(group, writeGroupEntry(group, routes), props);
      const integration = new HttpLambdaIntegration(`${group}Integration`, fn);
      for (const route of routes) {
        this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
      }
      this.functions.set(group, fn);
    }

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Each dialect authenticates in its handler with the original API scheme (secret_key, xfyun HMAC, COS signature, X-Auth-Token, oauth_token); clients of those APIs cannot send an API Gateway authorizer token.',
    });
  }

  private groupFunction(group: string, entry: string, props: HttpRoutesProps): NodejsFunction {
    const access = GROUP_ACCESS[group] ?? {};
    const logGroup = new LogGroup(this, `${group}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fn = new NodejsFunction(this, `${group}Function`, {
      entry,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      role: new Role(this, `${group}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') }),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 1024,
      timeout: Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      description: `Tessera ${group} routes`,
      environment: {
        [BUCKET.envVar]: props.storage.bucket.bucketName,
        ...Object.fromEntries(
          Object.entries(TABLES).map(([name, table]) => [table.envVar, props.tables.byName[name as TableName].tableName]),
        ),
        [SEAL_KMS_KEY_ENV]: props.sealingKey.key.keyArn,
        POWERTOOLS_SERVICE_NAME: 'tessera',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: { ...BUNDLING, format: OutputFormat.ESM, externalModules: [...BUNDLING.externalModules], mainFields: [...BUNDLING.mainFields] },
    });
    this.grantAccess(fn, logGroup, access, props);
    return fn;
  }

  /** Writes the group's role by hand from GROUP_ACCESS: exact actions, no managed policies. */
  private grantAccess(fn: NodejsFunction, logGroup: LogGroup, access: GroupAccess, props: HttpRoutesProps): void {
    const statements = [
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    ];
    const bucket = props.storage.bucket;
    if (access.objectActions?.length) {
      statements.push(new PolicyStatement({ actions: [...access.objectActions], resources: [bucket.arnForObjects('*')] }));
    }
    if (access.bucketActions?.length) {
      statements.push(new PolicyStatement({ actions: [...access.bucketActions], resources: [bucket.bucketArn] }));
    }
    for (const [name, actions] of Object.entries(access.tables ?? {})) {
      const table = props.tables.byName[name as TableName];
      const indexes = TABLES[name as TableName].indexes.map((index) => `${table.tableArn}/index/${index.name}`);
      const queries = actions.includes('dynamodb:Query');
      statements.push(new PolicyStatement({ actions: [...actions], resources: [table.tableArn, ...(queries ? indexes : [])] }));
    }
    if (access.openSecrets) props.sealingKey.key.grantDecrypt(fn);
    for (const statement of statements) fn.addToRolePolicy(statement);
    Validations.of(fn.role!).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
      },
      ...(access.objectActions?.length
        ? [
            {
              id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
              reason: 'Clients choose their own object keys inside their namespaces, so object actions apply to the bucket\'s objects; tenant isolation is enforced by the handlers.',
            },
          ]
        : []),
    );
  }
}

import { CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { OriginProtocolPolicy, OriginSslPolicy, type IOrigin } from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  Peer,
  Port,
  SecurityGroup,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import {
  Cluster,
  ContainerImage,
  type ContainerDefinition,
  ContainerInsights,
  CpuArchitecture,
  FargateService,
  FargateTaskDefinition,
  LogDrivers,
  OperatingSystemFamily,
} from 'aws-cdk-lib/aws-ecs';
import {
  ApplicationLoadBalancer,
  ApplicationProtocol,
  ListenerAction,
  ListenerCertificate,
  ListenerCondition,
  SslPolicy,
} from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsCustomResource, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { GROUP_ACCESS, STAGE_REQUEST_BODIES, unionAccess } from '../../functions/access.ts';
import type { Route } from '../../functions/routes.ts';
import { grantAccess } from '../access-policy.ts';
import { FACE_ENVIRONMENT } from '../face-files.ts';
import { SERVER_PORT, writeServerImage } from '../server-image.ts';
import { sharedEnvironment, type SharedResources } from './tessera-function.ts';

/** The header CloudFront adds to every request it sends the load balancer, with the secret only they share. */
export const ORIGIN_SECRET_HEADER = 'x-tessera-origin-verify';
/** AWS's managed prefix list of CloudFront's origin-facing addresses. */
export const CLOUDFRONT_PREFIX_LIST = 'com.amazonaws.global.cloudfront.origin-facing';

/**
 * One task: 1 vCPU / 2 GB, arm64. The big-body path needs a core for multipart parsing and TLS to
 * S3 and little memory (a part held per body, 17–28 MiB per 64 MiB upload measured in "Large
 * bodies"). The vision routes add the face engine, loaded at start: 0.39–0.53 GB RSS
 * (reference/faces.md §A.2), one image decoded at a time (≤ 25 MB RGB) and each vision request's
 * images (≤ 30 MiB) while it waits its turn. 2 GB holds that with room for dozens of requests in
 * flight. A second vCPU would not speed detection up: tfjs' WASM runs on the one JavaScript thread.
 */
export const TASK = { cpu: 1024, memoryLimitMiB: 2048 } as const;
const SCALING = { minCapacity: 1, maxCapacity: 10, cpuPercent: 60, requestsPerTargetPerMinute: 100 } as const;

export interface LargeBodyServiceProps {
  readonly resources: SharedResources;
  /** The routes it serves (functions/routes.ts `largeBodies`). */
  readonly routes: readonly Route[];
  /** TESSERA_MAX_BODY_BYTES, given to the server; the edge checks the same number. */
  readonly maxBodyBytes: number;
  /** Where the load balancer's access logs and the VPC's flow logs go. */
  readonly logBucket: IBucket;
  /**
   * HTTPS between CloudFront and the load balancer: a DNS name the deployer points at the load
   * balancer (output LargeBodiesLoadBalancer), and an ACM certificate for it in the stack's region.
   * Without it, CloudFront reaches the load balancer over HTTP.
   */
  readonly https?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * The routes that carry files of real size, on ECS Fargate (docs/architecture.md, "Large bodies"):
 * server/main.ts in an arm64 container, bundled at synth, built by Docker at deploy; behind an
 * Application Load Balancer that only CloudFront reaches (its security group admits CloudFront's
 * origin-facing prefix list alone, and a listener rule forwards only requests that carry the
 * secret origin header; anything else gets 403). Two AZs, public subnets, no NAT gateway: tasks
 * have public IPs for AWS APIs and `source` URLs, and admit only the load balancer.
 */
export class LargeBodyService extends Construct {
  readonly origin: IOrigin;
  /** Whether CloudFront reaches the load balancer over HTTPS (context largeBodiesOriginDomain); over HTTP otherwise. */
  readonly https: boolean;
  readonly service: FargateService;
  readonly loadBalancer: ApplicationLoadBalancer;
  readonly taskRole: Role;
  readonly container: ContainerDefinition;

  constructor(scope: Construct, id: string, props: LargeBodyServiceProps) {
    super(scope, id);
    const { resources, logBucket } = props;
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 }],
      // Free: S3 (the bodies) and DynamoDB traffic stays off the internet gateway.
      gatewayEndpoints: {
        S3: { service: GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: GatewayVpcEndpointAwsService.DYNAMODB },
      },
      flowLogs: {
        Rejected: { destination: FlowLogDestination.toS3(logBucket, 'vpc-flow-logs/'), trafficType: FlowLogTrafficType.REJECT },
      },
    });

    // The secret CloudFront and the listener rule share; CloudFormation resolves it at deploy, so it is in no template.
    const originSecret = new Secret(this, 'OriginSecret', {
      description: `Tessera: the ${ORIGIN_SECRET_HEADER} header CloudFront sends the large-body load balancer`,
      generateSecretString: { passwordLength: 48, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const secretValue = originSecret.secretValue.unsafeUnwrap();

    const https = props.https;
    const port = https ? 443 : 80;
    const loadBalancerGroup = new SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: 'Tessera large-body load balancer: CloudFront origin-facing addresses only',
    });
    loadBalancerGroup.addIngressRule(Peer.prefixList(this.cloudFrontPrefixList()), Port.tcp(port), 'CloudFront origin-facing');
    this.loadBalancer = new ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: loadBalancerGroup,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      // Longer than CloudFront's 60 s origin read timeout, so the load balancer never cuts a request CloudFront still waits on.
      idleTimeout: Duration.seconds(120),
    });
    this.loadBalancer.logAccessLogs(logBucket, 'alb');
    const listener = this.loadBalancer.addListener('Listener', {
      port,
      protocol: https ? ApplicationProtocol.HTTPS : ApplicationProtocol.HTTP,
      ...(https ? { certificates: [ListenerCertificate.fromArn(https.certificateArn)], sslPolicy: SslPolicy.RECOMMENDED_TLS } : {}),
      open: false,
      defaultAction: ListenerAction.fixedResponse(403, { contentType: 'text/plain', messageBody: 'Forbidden' }),
    });

    const cluster = new Cluster(this, 'Cluster', { vpc, containerInsightsV2: ContainerInsights.ENABLED });
    this.taskRole = new Role(this, 'TaskRole', {
      assumedBy: new ServicePrincipal('ecs-tasks.amazonaws.com'),
      description: 'Tessera large-body server: its own staging and the union of its route groups in functions/access.ts',
    });
    const groups = [...new Set(props.routes.map((route) => route.group))];
    grantAccess(
      this.taskRole,
      unionAccess([
        STAGE_REQUEST_BODIES,
        ...groups.map((group) => {
          const access = GROUP_ACCESS[group];
          if (!access) throw new Error(`functions/access.ts has no entry "${group}"`);
          return access;
        }),
      ]),
      resources,
    );
    const taskDefinition = new FargateTaskDefinition(this, 'Task', {
      ...TASK,
      runtimePlatform: { cpuArchitecture: CpuArchitecture.ARM64, operatingSystemFamily: OperatingSystemFamily.LINUX },
      taskRole: this.taskRole,
    });
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.container = taskDefinition.addContainer('server', {
      image: ContainerImage.fromAsset(writeServerImage({ bundle: Stack.of(this).bundlingRequired, routes: props.routes }), {
        platform: Platform.LINUX_ARM64,
      }),
      logging: LogDrivers.awsLogs({ streamPrefix: 'server', logGroup }),
      portMappings: [{ containerPort: SERVER_PORT }],
      environment: {
        ...sharedEnvironment(resources),
        // Also set in the image (infra/server-image.ts), which copies the files there.
        ...FACE_ENVIRONMENT,
        PORT: String(SERVER_PORT),
        TESSERA_MAX_BODY_BYTES: String(props.maxBodyBytes),
        AWS_REGION: Stack.of(this).region,
      },
      // Lets a request in flight finish when a task is replaced or scaled in.
      stopTimeout: Duration.seconds(60),
    });
    this.service = new FargateService(this, 'Service', {
      cluster,
      taskDefinition,
      desiredCount: SCALING.minCapacity,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      assignPublicIp: true,
      vpcSubnets: { subnetType: SubnetType.PUBLIC },
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(30),
    });
    const targetGroup = listener.addTargets('Server', {
      priority: 1,
      conditions: [ListenerCondition.httpHeader(ORIGIN_SECRET_HEADER, [secretValue])],
      port: SERVER_PORT,
      protocol: ApplicationProtocol.HTTP,
      targets: [this.service],
      healthCheck: { path: '/health', healthyHttpCodes: '200', interval: Duration.seconds(15), healthyThresholdCount: 2 },
      // An upload in flight on a task being drained has this long to end.
      deregistrationDelay: Duration.seconds(90),
    });
    const scaling = this.service.autoScaleTaskCount({ minCapacity: SCALING.minCapacity, maxCapacity: SCALING.maxCapacity });
    scaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: SCALING.cpuPercent });
    scaling.scaleOnRequestCount('Requests', { requestsPerTarget: SCALING.requestsPerTargetPerMinute, targetGroup });

    this.https = Boolean(https);
    this.origin = new HttpOrigin(https ? https.domainName : this.loadBalancer.loadBalancerDnsName, {
      protocolPolicy: https ? OriginProtocolPolicy.HTTPS_ONLY : OriginProtocolPolicy.HTTP_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      // CloudFront's longest without a quota increase: the time it waits for the answer once the body is sent.
      readTimeout: Duration.seconds(60),
      keepaliveTimeout: Duration.seconds(60),
      customHeaders: { [ORIGIN_SECRET_HEADER]: secretValue },
    });
    new CfnOutput(Stack.of(this), 'LargeBodiesLoadBalancer', {
      value: this.loadBalancer.loadBalancerDnsName,
      description: 'DNS name of the large-body load balancer (only CloudFront gets past it; point largeBodiesOriginDomain here for HTTPS)',
    });
    this.acknowledge(originSecret, taskDefinition);
  }

  /** The prefix list's id differs by region, so it is looked up at deploy time (offline synth stays possible). */
  private cloudFrontPrefixList(): string {
    const logGroup = new LogGroup(this, 'PrefixListLookupLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'PrefixListLookupRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    role.addToPolicy(new PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }));
    const lookup = new AwsCustomResource(this, 'CloudFrontPrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: { Filters: [{ Name: 'prefix-list-name', Values: [CLOUDFRONT_PREFIX_LIST] }] },
        physicalResourceId: PhysicalResourceId.of(CLOUDFRONT_PREFIX_LIST),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      role,
      logGroup,
      installLatestAwsSdk: false,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeManagedPrefixLists supports no resource-level permissions; it reads which prefix list is CloudFront’s.',
    });
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }

  private acknowledge(originSecret: Secret, taskDefinition: FargateTaskDefinition): void {
    Validations.of(originSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'CloudFront and the listener rule read it at deploy time; rotating it is a redeploy (docs/architecture.md, "Large bodies"), not a rotation Lambda that would leave them disagreeing.',
    });
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The environment holds resource names and ARNs (bucket, tables, queues, key), as the Lambdas get them; no secret.',
    });
    Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ecr:GetAuthorizationToken, which pulling the image needs, supports no resource-level permissions; the pull itself is scoped to the asset repository.',
    });
  }
}

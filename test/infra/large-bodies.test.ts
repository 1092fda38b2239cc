import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GROUP_ACCESS } from '../../functions/access.ts';
import { bodyConfig } from '../../functions/config.ts';
import { LAMBDA_MAX_BODY_BYTES } from '../../functions/platform/oversize-answers.ts';
import { TABLES, type QueueName, type TableName } from '../../functions/resources.ts';
import { ROUTES, routeKey } from '../../functions/routes.ts';
import { CLOUDFRONT_PREFIX_LIST, ORIGIN_SECRET_HEADER, TASK } from '../../infra/constructs/large-body-service.ts';
import { FACE_ENVIRONMENT, FACE_GROUPS, FACE_MEMORY_MB, FACES_DIR, faceFiles } from '../../infra/face-files.ts';
import { oversizeFunctionSource } from '../../infra/oversize-function.ts';
import { TesseraStack, tesseraStackProps, type TesseraStackProps } from '../../infra/tessera-stack.ts';
import { nagFindings } from '../support/cdk-nag.ts';

// The managed policies' ids (CloudFront's documented constants).
const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';
const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

type Resource = { Type: string; Properties: Record<string, unknown> };
type Json = Record<string, unknown>;

interface Synth {
  readonly stack: TesseraStack;
  readonly props: TesseraStackProps;
  readonly template: Template;
  readonly outdir: string;
}

/**
 * One synthesis per context, with the cdk-nag pack as `cdk synth` runs it. Lambda and server
 * bundling are skipped (`aws:cdk:bundling-stacks`): stack.test.ts synthesizes with bundling.
 */
async function synth(context: Record<string, unknown>): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), 'tessera-large-bodies-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const props = await tesseraStackProps(app, { env: { account: '123456789012', region: 'eu-west-1' } });
  const stack = new TesseraStack(app, 'Tessera', props);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stack, props, template: Template.fromStack(stack), outdir };
}

const resourcesOf = (template: Template, type: string) => template.findResources(type) as Record<string, Resource>;
const only = (template: Template, type: string, filter: (id: string, resource: Resource) => boolean = () => true) => {
  const found = Object.entries(resourcesOf(template, type)).filter(([id, resource]) => filter(id, resource));
  assert.equal(found.length, 1, `one ${type}, found ${found.map(([id]) => id).join(', ')}`);
  return found[0]!;
};
const apiDistribution = (template: Template) =>
  only(template, 'AWS::CloudFront::Distribution', (id) => id.startsWith('ApiFront'))[1].Properties.DistributionConfig as Json;
const getAtt = (id: string, attribute: string) => ({ 'Fn::GetAtt': [id, attribute] });

/** Every (action, resource) a policy document allows, resources as the template writes them. */
function grants(statements: Json[]): Set<string> {
  const pairs = new Set<string>();
  for (const statement of statements) {
    assert.equal(statement.Effect, 'Allow');
    const actions = ([] as unknown[]).concat(statement.Action);
    const targets = ([] as unknown[]).concat(statement.Resource);
    for (const action of actions) for (const target of targets) pairs.add(`${String(action)} ${JSON.stringify(target)}`);
  }
  return pairs;
}

describe('large bodies, on (the default)', () => {
  let on: Synth;
  before(async () => {
    on = await synth({});
  });
  after(() => rmSync(on.outdir, { recursive: true, force: true }));

  const largeRoutes = ROUTES.filter((route) => route.largeBodies);

  it('puts CloudFront in front of the API: each largeBodies path to the load balancer, everything else to API Gateway', () => {
    const { template } = on;
    const config = apiDistribution(template);
    const origins = config.Origins as Json[];
    const loadBalancer = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0];
    const albOrigin = origins.find((origin) => JSON.stringify(origin.DomainName) === JSON.stringify(getAtt(loadBalancer, 'DNSName')));
    const apiOrigin = origins.find((origin) => JSON.stringify(origin.DomainName).includes('.execute-api.'));
    assert.ok(albOrigin && apiOrigin, 'an origin for each');
    const edge = only(template, 'AWS::CloudFront::Function', (id) => id.startsWith('ApiFront'))[0];
    const viewerRequest = [{ EventType: 'viewer-request', FunctionARN: getAtt(edge, 'FunctionARN') }];

    const behaviors = config.CacheBehaviors as Json[];
    assert.deepEqual(behaviors.map((behavior) => behavior.PathPattern).sort(), [...new Set(largeRoutes.map((route) => route.path))].sort());
    for (const behavior of behaviors) {
      assert.equal(behavior.TargetOriginId, albOrigin.Id);
      assert.equal(behavior.CachePolicyId, CACHING_DISABLED);
      // Over HTTP the container gets the viewer's Host, which the dialects' signatures cover.
      assert.equal(behavior.OriginRequestPolicyId, ALL_VIEWER);
      assert.deepEqual(behavior.AllowedMethods, ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
      assert.equal(behavior.ViewerProtocolPolicy, 'https-only');
      assert.deepEqual(behavior.FunctionAssociations, viewerRequest);
    }
    const fallback = config.DefaultCacheBehavior as Json;
    assert.equal(fallback.TargetOriginId, apiOrigin.Id);
    assert.equal(fallback.CachePolicyId, CACHING_DISABLED);
    assert.equal(fallback.OriginRequestPolicyId, ALL_VIEWER_EXCEPT_HOST_HEADER);
    assert.deepEqual(fallback.AllowedMethods, ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    assert.deepEqual(fallback.FunctionAssociations, viewerRequest);
    assert.deepEqual((apiOrigin.CustomOriginConfig as Json).OriginProtocolPolicy, 'https-only');
    on.template.hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          ['https://', getAtt(only(template, 'AWS::CloudFront::Distribution', (id) => id.startsWith('ApiFront'))[0], 'DomainName')],
        ],
      },
    });
  });

  it("runs the edge function generated from the route table and the dialects' answers, under 10 KB", () => {
    const [, edge] = only(on.template, 'AWS::CloudFront::Function', (id) => id.startsWith('ApiFront'));
    assert.equal((edge.Properties.FunctionConfig as Json).Runtime, 'cloudfront-js-2.0');
    assert.equal(edge.Properties.FunctionCode, oversizeFunctionSource(on.props.oversize));
    assert.ok(Buffer.byteLength(String(edge.Properties.FunctionCode)) <= 10 * 1024);
    for (const route of ROUTES) {
      assert.equal(
        on.props.oversize.get(routeKey(route))!.limit,
        route.largeBodies ? bodyConfig.maxLargeBodyBytes() : LAMBDA_MAX_BODY_BYTES,
      );
    }
  });

  it('serves only the other routes on API Gateway, and $default for a path no route serves', () => {
    const routeKeys = Object.values(resourcesOf(on.template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey);
    assert.deepEqual(routeKeys.sort(), ['$default', ...ROUTES.filter((route) => !route.largeBodies).map(routeKey)].sort());
  });

  it("lets only CloudFront's origin-facing addresses reach the load balancer, on the listener's port alone", () => {
    const { template } = on;
    const [, balancer] = only(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    assert.equal(balancer.Properties.Scheme, 'internet-facing');
    const groups = balancer.Properties.SecurityGroups as Json[];
    assert.equal(groups.length, 1);
    const groupId = ((groups[0] as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'] ?? [])[0]!;
    const [, group] = only(template, 'AWS::EC2::SecurityGroup', (id) => id === groupId);
    assert.equal(group.Properties.SecurityGroupIngress, undefined, 'no inline ingress');
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => JSON.stringify(rule.Properties.GroupId) === JSON.stringify(getAtt(groupId, 'GroupId')),
    );
    assert.equal(ingress.length, 1);
    const [lookupId, lookup] = only(template, 'Custom::AWS');
    assert.deepEqual(ingress[0]!.Properties, {
      Description: 'CloudFront origin-facing',
      FromPort: 80,
      ToPort: 80,
      IpProtocol: 'tcp',
      GroupId: getAtt(groupId, 'GroupId'),
      SourcePrefixListId: getAtt(lookupId, 'PrefixLists.0.PrefixListId'),
    });
    assert.match(
      String(lookup.Properties.Create),
      new RegExp(`describeManagedPrefixLists.*${CLOUDFRONT_PREFIX_LIST.replaceAll('.', '\\.')}`),
    );
  });

  it('forwards to the container only requests that carry the secret origin header CloudFront adds; anything else gets 403', () => {
    const { template } = on;
    const [secretId, secret] = only(template, 'AWS::SecretsManager::Secret');
    assert.equal((secret.Properties.GenerateSecretString as Json).ExcludePunctuation, true);
    const secretValue = { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
    const [, listener] = only(template, 'AWS::ElasticLoadBalancingV2::Listener');
    assert.deepEqual(listener.Properties.DefaultActions, [
      { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '403', ContentType: 'text/plain', MessageBody: 'Forbidden' } },
    ]);
    const [, rule] = only(template, 'AWS::ElasticLoadBalancingV2::ListenerRule');
    assert.deepEqual(rule.Properties.Conditions, [
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: ORIGIN_SECRET_HEADER, Values: [secretValue] } },
    ]);
    const [targetGroupId, targetGroup] = only(template, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.deepEqual(rule.Properties.Actions, [{ Type: 'forward', TargetGroupArn: { Ref: targetGroupId } }]);
    assert.equal(targetGroup.Properties.HealthCheckPath, '/health');
    const albOrigin = (apiDistribution(template).Origins as Json[]).find((origin) => origin.OriginCustomHeaders);
    assert.deepEqual(albOrigin?.OriginCustomHeaders, [{ HeaderName: ORIGIN_SECRET_HEADER, HeaderValue: secretValue }]);
  });

  it('runs the server on arm64 Fargate: container insights, logs kept, /health, at least one task, autoscaled on CPU and requests, circuit breaker', () => {
    const { template } = on;
    const [, cluster] = only(template, 'AWS::ECS::Cluster');
    assert.deepEqual(cluster.Properties.ClusterSettings, [{ Name: 'containerInsights', Value: 'enabled' }]);
    const [, task] = only(template, 'AWS::ECS::TaskDefinition');
    assert.deepEqual(task.Properties.RuntimePlatform, { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
    assert.deepEqual(task.Properties.RequiresCompatibilities, ['FARGATE']);
    const [container] = task.Properties.ContainerDefinitions as Json[];
    assert.equal((container!.LogConfiguration as Json).LogDriver, 'awslogs');
    const logGroupId = (((container!.LogConfiguration as Json).Options as Json)['awslogs-group'] as { Ref: string }).Ref;
    assert.ok(only(template, 'AWS::Logs::LogGroup', (id) => id === logGroupId)[1].Properties.RetentionInDays);
    assert.deepEqual(container!.PortMappings, [{ ContainerPort: 8080, Protocol: 'tcp' }]);

    const [, service] = only(template, 'AWS::ECS::Service');
    assert.equal(service.Properties.LaunchType, 'FARGATE');
    assert.ok((service.Properties.DesiredCount as number) >= 1);
    assert.deepEqual((service.Properties.DeploymentConfiguration as Json).DeploymentCircuitBreaker, { Enable: true, Rollback: true });
    const [, target] = only(template, 'AWS::ApplicationAutoScaling::ScalableTarget');
    assert.ok((target.Properties.MinCapacity as number) >= 1);
    assert.ok((target.Properties.MaxCapacity as number) > (target.Properties.MinCapacity as number));
    const metrics = Object.values(resourcesOf(template, 'AWS::ApplicationAutoScaling::ScalingPolicy')).map((policy) => {
      assert.equal(policy.Properties.PolicyType, 'TargetTrackingScaling');
      const configuration = policy.Properties.TargetTrackingScalingPolicyConfiguration as Json;
      return (configuration.PredefinedMetricSpecification as Json).PredefinedMetricType;
    });
    assert.deepEqual(metrics.sort(), ['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
  });

  it('gives the container what the Lambdas of its groups get: the same environment, and TESSERA_MAX_BODY_BYTES', () => {
    const { template } = on;
    const [, task] = only(template, 'AWS::ECS::TaskDefinition');
    const [container] = task.Properties.ContainerDefinitions as Json[];
    const environment = Object.fromEntries(
      (container!.Environment as { Name: string; Value: unknown }[]).map((entry) => [entry.Name, entry.Value]),
    );
    const storageLambda = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Description === 'Tessera storage routes',
    )!;
    const lambdaEnvironment = (storageLambda.Properties.Environment as { Variables: Json }).Variables;
    for (const [name, value] of Object.entries(lambdaEnvironment)) assert.deepEqual(environment[name], value, name);
    assert.equal(environment.TESSERA_MAX_BODY_BYTES, String(bodyConfig.maxLargeBodyBytes()));
    assert.equal(environment.PORT, '8080');
  });

  it('gives its task role exactly the union of its route groups’ access (storage and ost), and its execution role only the pull and the logs', () => {
    const { template } = on;
    const [, task] = only(template, 'AWS::ECS::TaskDefinition');
    const roleId = (task.Properties.TaskRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policiesOf = (role: string) =>
      Object.values(resourcesOf(template, 'AWS::IAM::Policy')).filter((policy) =>
        (policy.Properties.Roles as Json[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: role })),
      );
    const statements = policiesOf(roleId).flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const logicalId = (prefix: string) => Object.keys(template.toJSON().Resources as Json).find((id) => id.startsWith(prefix))!;
    const arn = (id: string) => getAtt(id, 'Arn');
    const bucket = logicalId('StorageFilesBucket');
    const tableId = (name: TableName) => logicalId(`Tables${TABLES[name].id}`);
    const queueId = (name: QueueName) => logicalId(`Queues${name.charAt(0).toUpperCase()}${name.slice(1)}Queue`);

    const expected = new Set<string>();
    const add = (action: string, resource: unknown) => expected.add(`${action} ${JSON.stringify(resource)}`);
    const groups = [...new Set(largeRoutes.map((route) => route.group))].sort();
    assert.deepEqual(groups, ['ost', 'storage', 'vision']);
    for (const access of groups.map((group) => GROUP_ACCESS[group]!)) {
      for (const action of access.objectActions ?? []) add(action, { 'Fn::Join': ['', [arn(bucket), '/*']] });
      for (const action of access.bucketActions ?? []) add(action, arn(bucket));
      for (const [name, actions] of Object.entries(access.tables ?? {})) {
        const table = tableId(name as TableName);
        const queried = new Set(groups.flatMap((group) => GROUP_ACCESS[group]!.tables?.[name as TableName] ?? [])).has('dynamodb:Query');
        const indexes = queried
          ? TABLES[name as TableName].indexes.map((index) => ({ 'Fn::Join': ['', [arn(table), `/index/${index.name}`]] }))
          : [];
        for (const action of actions) for (const resource of [arn(table), ...indexes]) add(action, resource);
      }
      for (const queue of access.queues ?? []) add('sqs:SendMessage', arn(queueId(queue)));
      if (access.openSecrets) add('kms:Decrypt', arn(logicalId('SecretSealingKey')));
    }
    assert.deepEqual([...grants(statements)].sort(), [...expected].sort());

    const executionId = (task.Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const execution = policiesOf(executionId).flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const actions = [...new Set(execution.flatMap((statement) => ([] as string[]).concat(statement.Action as string)))].sort();
    assert.deepEqual(actions, [
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it("sizes the task for the face engine beside the big-body path, and points it at the image's face files", () => {
    const { template } = on;
    const [, task] = only(template, 'AWS::ECS::TaskDefinition');
    assert.deepEqual(TASK, { cpu: 1024, memoryLimitMiB: 2048 });
    assert.equal(task.Properties.Cpu, '1024');
    assert.equal(task.Properties.Memory, '2048');
    const [container] = task.Properties.ContainerDefinitions as Json[];
    const environment = Object.fromEntries(
      (container!.Environment as { Name: string; Value: unknown }[]).map((entry) => [entry.Name, entry.Value]),
    );
    for (const [name, value] of Object.entries(FACE_ENVIRONMENT)) assert.equal(environment[name], value, name);
    assert.ok(
      largeRoutes.some((route) => FACE_GROUPS.has(route.group)),
      'the container serves the vision routes',
    );
  });

  it('builds no faces layer and no Lambda for the vision routes: the container serves them', () => {
    const { template } = on;
    const layers = Object.values(resourcesOf(template, 'AWS::Lambda::LayerVersion')).map((layer) => String(layer.Properties.Description));
    assert.equal(layers.filter((description) => description.includes(FACES_DIR)).length, 0);
    const functions = Object.values(resourcesOf(template, 'AWS::Lambda::Function'));
    for (const group of FACE_GROUPS) {
      assert.equal(functions.filter((fn) => fn.Properties.Description === `Tessera ${group} routes`).length, 0, group);
    }
  });

  it('runs in two AZs of public subnets with no NAT gateway, with free S3 and DynamoDB endpoints and flow logs', () => {
    const { template } = on;
    assert.equal(Object.keys(resourcesOf(template, 'AWS::EC2::NatGateway')).length, 0);
    const subnets = Object.values(resourcesOf(template, 'AWS::EC2::Subnet'));
    assert.equal(subnets.length, 2);
    for (const subnet of subnets) assert.equal(subnet.Properties.MapPublicIpOnLaunch, true);
    const endpoints = Object.values(resourcesOf(template, 'AWS::EC2::VPCEndpoint'));
    assert.deepEqual(endpoints.map((endpoint) => endpoint.Properties.VpcEndpointType).sort(), ['Gateway', 'Gateway']);
    assert.equal(Object.keys(resourcesOf(template, 'AWS::EC2::FlowLog')).length, 1);
    const [, service] = only(template, 'AWS::ECS::Service');
    assert.equal(((service.Properties.NetworkConfiguration as Json).AwsvpcConfiguration as Json).AssignPublicIp, 'ENABLED');
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    assert.deepEqual(nagFindings(on.stack), []);
  });
});

describe('large bodies, off (-c largeBodies=false)', () => {
  let off: Synth;
  before(async () => {
    off = await synth({ largeBodies: 'false' });
  });
  after(() => rmSync(off.outdir, { recursive: true, force: true }));

  it('has no VPC, load balancer, container or secret', () => {
    for (const type of [
      'AWS::EC2::VPC',
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
      'AWS::ECS::Cluster',
      'AWS::ECS::Service',
      'AWS::ECS::TaskDefinition',
      'AWS::SecretsManager::Secret',
    ]) {
      assert.equal(Object.keys(resourcesOf(off.template, type)).length, 0, type);
    }
  });

  it('serves every route on API Gateway, behind CloudFront with no other origin', () => {
    const routeKeys = Object.values(resourcesOf(off.template, 'AWS::ApiGatewayV2::Route')).map((route) => route.Properties.RouteKey);
    assert.deepEqual(routeKeys.sort(), ['$default', ...ROUTES.map(routeKey)].sort());
    const config = apiDistribution(off.template);
    assert.equal(config.CacheBehaviors, undefined);
    assert.equal((config.Origins as Json[]).length, 1);
    assert.equal((config.DefaultCacheBehavior as Json).OriginRequestPolicyId, ALL_VIEWER_EXCEPT_HOST_HEADER);
  });

  it('gives the vision Lambda the sharp and faces layers, the face files’ paths, 2048 MB and API Gateway’s 29 s', () => {
    const { template } = off;
    const layerId = (text: string) =>
      only(template, 'AWS::Lambda::LayerVersion', (_, layer) => String(layer.Properties.Description).includes(text))[0];
    const [sharpLayer, facesLayer] = [layerId('sharp'), layerId(FACES_DIR)];
    for (const group of FACE_GROUPS) {
      const [, fn] = only(
        template,
        'AWS::Lambda::Function',
        (_, candidate) => candidate.Properties.Description === `Tessera ${group} routes`,
      );
      assert.equal(FACE_MEMORY_MB, 2048);
      assert.equal(fn.Properties.MemorySize, FACE_MEMORY_MB);
      assert.ok(FACE_MEMORY_MB >= 1769, 'one full vCPU');
      assert.equal(fn.Properties.Timeout, 29);
      assert.deepEqual(fn.Properties.Layers, [{ Ref: sharpLayer }, { Ref: facesLayer }]);
      const variables = (fn.Properties.Environment as { Variables: Json }).Variables;
      assert.deepEqual(FACE_ENVIRONMENT, { TESSERA_FACE_MODELS_DIR: '/opt/faces/models', TESSERA_FACE_WASM_DIR: '/opt/faces/wasm' });
      for (const [name, value] of Object.entries(FACE_ENVIRONMENT)) assert.equal(variables[name], value, name);
    }
    // The other route functions keep the default memory and no layer.
    const others = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter(
      (fn) =>
        / routes$/.test(String(fn.Properties.Description)) &&
        ![...FACE_GROUPS].some((group) => fn.Properties.Description === `Tessera ${group} routes`),
    );
    assert.ok(others.length > 0);
    for (const fn of others) {
      assert.equal(fn.Properties.Layers, undefined, String(fn.Properties.Description));
      assert.equal(fn.Properties.MemorySize, 1024, String(fn.Properties.Description));
    }
  });

  it('ships in the faces layer exactly the weights and .wasm the engine reads, under faces/ (/opt/faces)', () => {
    const [, layer] = only(off.template, 'AWS::Lambda::LayerVersion', (_, candidate) =>
      String(candidate.Properties.Description).includes(FACES_DIR),
    );
    // The asset's folder in the cloud assembly, by the zip's key the layer names.
    const key = String((layer.Properties.Content as { S3Key: unknown }).S3Key);
    const manifest = JSON.parse(readFileSync(join(off.outdir, 'Tessera.assets.json'), 'utf8')) as {
      files: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
    };
    const [entry] = Object.values(manifest.files).filter((file) => Object.values(file.destinations).some((to) => to.objectKey === key));
    const asset = join(off.outdir, entry!.source.path);
    const files = (directory: string): string[] =>
      readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(directory, entry.name)).map((file) => `${entry.name}/${file}`) : [entry.name],
      );
    assert.deepEqual(
      files(asset).sort(),
      faceFiles()
        .map((file) => `faces/${file.target}`)
        .sort(),
    );
  });

  it("holds the largeBodies routes to Lambda's limit at the edge", () => {
    for (const route of ROUTES) assert.equal(off.props.oversize.get(routeKey(route))!.limit, LAMBDA_MAX_BODY_BYTES, routeKey(route));
    const [, edge] = only(off.template, 'AWS::CloudFront::Function', (id) => id.startsWith('ApiFront'));
    assert.equal(edge.Properties.FunctionCode, oversizeFunctionSource(off.props.oversize));
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    assert.deepEqual(nagFindings(off.stack), []);
  });
});

describe('large bodies over HTTPS to the load balancer (largeBodiesOriginDomain + largeBodiesOriginCertificateArn)', () => {
  let https: Synth;
  const domainName = 'uploads-origin.example.com';
  const certificateArn = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
  before(async () => {
    https = await synth({ largeBodiesOriginDomain: domainName, largeBodiesOriginCertificateArn: certificateArn });
  });
  after(() => rmSync(https.outdir, { recursive: true, force: true }));

  it('listens on 443 with the certificate, admits CloudFront on 443 only, and is asked for by its own name', () => {
    const { template } = https;
    const [, listener] = only(template, 'AWS::ElasticLoadBalancingV2::Listener');
    assert.equal(listener.Properties.Port, 443);
    assert.equal(listener.Properties.Protocol, 'HTTPS');
    assert.deepEqual(listener.Properties.Certificates, [{ CertificateArn: certificateArn }]);
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).filter(
      (rule) => rule.Properties.SourcePrefixListId,
    );
    assert.deepEqual(
      ingress.map((rule) => [rule.Properties.FromPort, rule.Properties.ToPort]),
      [[443, 443]],
    );
    const config = apiDistribution(template);
    const origin = (config.Origins as Json[]).find((candidate) => candidate.DomainName === domainName)!;
    assert.equal((origin.CustomOriginConfig as Json).OriginProtocolPolicy, 'https-only');
    for (const behavior of config.CacheBehaviors as Json[]) {
      assert.equal(behavior.TargetOriginId, origin.Id);
      // The certificate names the origin, not the viewer's host: Host stays the origin's, the viewer's goes in x-forwarded-host.
      assert.equal(behavior.OriginRequestPolicyId, ALL_VIEWER_EXCEPT_HOST_HEADER);
    }
  });

  it('leaves cdk-nag nothing unacknowledged, without the HTTP origin acknowledgement', () => {
    assert.deepEqual(nagFindings(https.stack), []);
  });
});

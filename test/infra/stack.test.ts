import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ROUTES, routeGroups } from '../../functions/routes.ts';
import { BUCKET, TABLES } from '../../functions/resources.ts';
import { SCHEDULES } from '../../functions/schedules.ts';
import { FACE_ENVIRONMENT, FACES_DIR, faceFiles } from '../../infra/face-files.ts';
import { PROJECT_ROOT } from '../../infra/group-entries.ts';
import { NODE_IMAGE } from '../../infra/server-image.ts';
import { TesseraStack, tesseraStackProps } from '../../infra/tessera-stack.ts';
import { nagFindings } from '../support/cdk-nag.ts';

let template: Template;
let stack: TesseraStack;
const outdir = mkdtempSync(join(tmpdir(), 'tessera-synth-'));

// One full synthesis, with esbuild bundling (the Lambdas and the large-body container's server) and
// the cdk-nag AwsSolutions pack, as `cdk synth` does with its default context (largeBodies on).
before(async () => {
  const app = new App({ outdir });
  stack = new TesseraStack(app, 'Tessera', await tesseraStackProps(app, { env: { account: '123456789012', region: 'eu-west-1' } }));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  template = Template.fromStack(stack);
});
after(() => rmSync(outdir, { recursive: true, force: true }));

type Resource = { Properties: Record<string, unknown> };
const resources = (type: string) => Object.values(template.findResources(type)) as Resource[];
/** The files bucket's ARN, and the ARN of its objects matching a key pattern, as the template writes them. */
const filesBucketArn = () => ({
  'Fn::GetAtt': [Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith(`Storage${BUCKET.id}`))!, 'Arn'],
});
const filesObjectsArn = (pattern: string) => ({ 'Fn::Join': ['', [filesBucketArn(), `/${pattern}`]] });

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing that is not acknowledged with a reason', () => {
    // The same pack already ran inside app.synth() above, which throws on any finding.
    assert.deepEqual(nagFindings(stack), []);
  });
});

describe('synthesis', () => {
  it('leaves no warning unacknowledged', () => {
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('the HTTP API', () => {
  it('has one route per row of the route table that Lambda serves (all but the largeBodies routes), and $default for the rest', () => {
    const routeKeys = resources('AWS::ApiGatewayV2::Route')
      .map((route) => route.Properties.RouteKey)
      .sort();
    assert.deepEqual(
      routeKeys,
      ['$default', ...ROUTES.filter((route) => !route.largeBodies).map((route) => `${route.method} ${route.path}`)].sort(),
    );
  });

  it('logs access on its $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });

  it('outputs the URL of CloudFront in front of it, and its own', () => {
    template.hasOutput('ApiUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiFrontDistribution'), 'DomainName'] }]] },
    });
    template.hasOutput('ApiGatewayUrl', { Value: Match.anyValue() });
  });

  it("allows the web console's origin alone (CORS), on API Gateway and in the container", () => {
    const consoleOrigin = {
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsoleDistribution'), 'DomainName'] }]],
    };
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [consoleOrigin],
        AllowHeaders: ['content-type', 'x-auth-token'],
        AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
        ExposeHeaders: ['x-request-id'],
        MaxAge: 600,
      },
    });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({ Environment: Match.arrayWith([{ Name: 'TESSERA_CONSOLE_ORIGIN', Value: consoleOrigin }]) }),
      ],
    });
    template.hasOutput('ConsoleUrl', { Value: consoleOrigin });
  });
});

describe('the functions', () => {
  it('are one arm64 Node.js 22+ Lambda per route group and per scheduled job, bundled with esbuild', () => {
    const functions = resources('AWS::Lambda::Function').filter((fn) => String(fn.Properties.Description).startsWith('Tessera '));
    const routeFunctions = functions.filter((fn) => String(fn.Properties.Description).endsWith(' routes'));
    assert.equal(routeFunctions.length, routeGroups(ROUTES.filter((route) => !route.largeBodies)).size);
    assert.equal(functions.filter((fn) => String(fn.Properties.Description).startsWith('Tessera scheduled job')).length, SCHEDULES.length);
    for (const fn of functions) {
      assert.deepEqual(fn.Properties.Architectures, ['arm64']);
      assert.match(String(fn.Properties.Runtime), /^nodejs(2[2-9]|[3-9]\d)\.x$/);
      assert.match(String(fn.Properties.Handler), /^index\.[a-zA-Z]+$/);
    }
    for (const fn of routeFunctions) assert.equal(fn.Properties.Timeout, 29);
  });

  it('runs the worker with the sharp layer on every job queue, reporting partial batch failures', () => {
    const worker = Object.entries(template.findResources('AWS::Lambda::Function')).find(
      ([, fn]) => fn.Properties.Description === 'Tessera job worker (sharp)',
    );
    assert.ok(worker, 'a worker function');
    assert.equal(worker[1].Properties.Layers.length, 1);
    const mappings = resources('AWS::Lambda::EventSourceMapping').filter((mapping) =>
      JSON.stringify(mapping.Properties.FunctionName).includes(worker[0]),
    );
    assert.equal(mappings.length, 3);
    for (const mapping of mappings) {
      assert.deepEqual(mapping.Properties.FunctionResponseTypes, ['ReportBatchItemFailures']);
      assert.equal(mapping.Properties.BatchSize, 1, 'one build at a time in an instance sized for one');
    }
    const concurrency = mappings
      .map((mapping) => (mapping.Properties.ScalingConfig as { MaximumConcurrency: number }).MaximumConcurrency)
      .sort((a, b) => a - b);
    assert.deepEqual(concurrency, [4, 10, 20]);
  });

  it('encrypts every queue and gives each work queue a dead-letter queue', () => {
    const queues = resources('AWS::SQS::Queue');
    assert.equal(queues.length, 6);
    for (const queue of queues) assert.equal(queue.Properties.SqsManagedSseEnabled, true);
    assert.equal(queues.filter((queue) => queue.Properties.RedrivePolicy).length, 4);
  });

  it('runs each scheduled job on its EventBridge schedule', () => {
    const rates = resources('AWS::Events::Rule')
      .map((rule) => rule.Properties.ScheduleExpression)
      .sort();
    assert.deepEqual(
      rates,
      SCHEDULES.map((schedule) => `rate(${schedule.everyMinutes} minute${schedule.everyMinutes === 1 ? '' : 's'})`).sort(),
    );
  });

  it('get exact permissions: no service-wide wildcards, no managed policies', () => {
    for (const policy of resources('AWS::IAM::Policy')) {
      const text = JSON.stringify(policy.Properties.PolicyDocument);
      assert.equal(/"(s3|dynamodb|kms):\*"/.test(text), false, text);
      assert.equal(/"s3:[A-Za-z]+\*"/.test(text), false, `no s3 action wildcards: ${text}`);
    }
    for (const role of resources('AWS::IAM::Role')) assert.equal(role.Properties.ManagedPolicyArns, undefined);
  });
});

describe('storage and state', () => {
  it('has a private, encrypted, TLS-only bucket that aborts stale multipart uploads and exposes ETag', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: Match.objectLike({ ServerSideEncryptionConfiguration: Match.anyValue() }),
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'files/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } })]),
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ ExposedHeaders: ['ETag'] })] },
    });
    const policies = resources('AWS::S3::BucketPolicy').map((policy) => JSON.stringify(policy.Properties.PolicyDocument));
    assert.ok(policies.length >= 2 && policies.every((policy) => policy.includes('"aws:SecureTransport":"false"')));
  });

  it('has every table of functions/resources.ts, on demand, with PITR and TTL', () => {
    const tables = resources('AWS::DynamoDB::GlobalTable');
    assert.equal(tables.length, Object.keys(TABLES).length);
    for (const table of tables) {
      assert.equal(table.Properties.BillingMode, 'PAY_PER_REQUEST');
      assert.deepEqual(table.Properties.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
      const replica = (table.Properties.Replicas as Array<Record<string, unknown>>)[0]!;
      assert.deepEqual(replica.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    }
  });

  it('encrypts client secrets under a rotating KMS key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('publishes the sharp layer for arm64', () => {
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['arm64'] });
  });
});

describe('public panorama sets', () => {
  it('are served by CloudFront through origin access control, HTTPS only, slashes collapsed, logged', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ SigningBehavior: 'always', OriginAccessControlOriginType: 's3' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
        }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
    template.hasOutput('PublicFilesUrl', { Value: Match.anyValue() });
  });

  it('let CloudFront read only objects tagged public, and the viewer page by its prefix, for this distribution', () => {
    const statements = resources('AWS::S3::BucketPolicy').flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement,
    );
    // The files bucket's (the console's own bucket has its own, tested in console-site.test.ts).
    const cloudFront = statements.filter(
      (statement) =>
        JSON.stringify(statement.Principal ?? '').includes('cloudfront.amazonaws.com') &&
        JSON.stringify(statement.Resource).includes(JSON.stringify(filesBucketArn())),
    );
    assert.equal(cloudFront.length, 2);
    for (const statement of cloudFront) {
      assert.deepEqual(statement.Action, 's3:GetObject');
      assert.ok(
        (statement.Condition as { StringEquals: Record<string, unknown> }).StringEquals['AWS:SourceArn'],
        'scoped to the distribution',
      );
    }
    const [tagged, viewer] = cloudFront;
    assert.equal(
      (tagged!.Condition as { StringEquals: Record<string, unknown> }).StringEquals['s3:ExistingObjectTag/tessera-public'],
      'true',
    );
    // The one statement without the tag condition reaches the viewer prefix and nothing else.
    assert.equal(JSON.stringify(viewer!.Condition).includes('ExistingObjectTag'), false);
    assert.deepEqual(viewer!.Resource, filesObjectsArn(`${BUCKET.viewer.prefix}*`));
  });

  it("deploy Pannellum's viewer page under its prefix only, never pruning or deleting client files", () => {
    // Into the files bucket (the console's deployment writes to a bucket of its own).
    const filesBucket = filesBucketArn()['Fn::GetAtt'][0]!;
    const [deployment, ...others] = resources('Custom::CDKBucketDeployment').filter((resource) =>
      JSON.stringify(resource.Properties.DestinationBucketName).includes(filesBucket),
    );
    assert.equal(others.length, 0);
    assert.equal(deployment!.Properties.DestinationBucketKeyPrefix, BUCKET.viewer.prefix);
    assert.equal(deployment!.Properties.Prune, false);
    assert.equal(deployment!.Properties.RetainOnDelete, true);
    assert.deepEqual(deployment!.Properties.SystemMetadata, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': `public, max-age=${BUCKET.viewer.maxAgeSeconds}`,
    });
    const logicalIdOf = (value: unknown) => (value as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const handler = template.findResources('AWS::Lambda::Function')[logicalIdOf(deployment!.Properties.ServiceToken)]!;
    const policies = resources('AWS::IAM::Policy').filter(
      (policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: logicalIdOf(handler.Properties.Role) }]),
    );
    const granted = policies.flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Array<{ Resource: unknown }> }).Statement,
    );
    const onFilesBucket = granted.filter((statement) => JSON.stringify(statement.Resource).includes(BUCKET.id));
    assert.deepEqual(onFilesBucket, [
      {
        Action: 's3:ListBucket',
        Effect: 'Allow',
        Resource: filesBucketArn(),
        Condition: { StringLike: { 's3:prefix': [`${BUCKET.viewer.prefix}*`] } },
      },
      { Action: 's3:PutObject', Effect: 'Allow', Resource: filesObjectsArn(`${BUCKET.viewer.prefix}*`) },
    ]);
  });

  it('gives the worker the memory and time the panorama bench measured, with headroom', () => {
    const worker = resources('AWS::Lambda::Function').find((fn) => String(fn.Properties.Description).includes('job worker'))!;
    assert.equal(worker.Properties.MemorySize, 3584);
    assert.equal(worker.Properties.Timeout, 300);
    // The decoded panorama streams through /tmp: 3 bytes a pixel at the default limit, and room.
    assert.deepEqual(worker.Properties.EphemeralStorage, { Size: 2048 });
    // One libuv thread (sharp's encodes) for each of the ~2 vCPUs of time that memory buys, as the bench ran it.
    const { Variables: environment } = worker.Properties.Environment as { Variables: Record<string, unknown> };
    assert.equal(environment.UV_THREADPOOL_SIZE, '2');
    assert.ok(environment.TESSERA_FONTS_DIR, 'the fonts are still found');
    const jobQueues = Object.entries(template.findResources('AWS::SQS::Queue')).filter(([id]) => /JobsLevel\dQueue/.test(id));
    assert.equal(jobQueues.length, 3);
    for (const [, queue] of jobQueues) assert.ok(queue.Properties.VisibilityTimeout >= 6 * 300, 'six times the worker timeout');
  });
});

describe('the large-body container image (its build context: Docker runs only at deploy)', () => {
  /** The context CDK staged for the task's image, from the cloud assembly's asset manifest. */
  const context = () => {
    const manifest = JSON.parse(readFileSync(join(outdir, 'Tessera.assets.json'), 'utf8')) as {
      dockerImages: Record<string, { source: { directory: string } }>;
    };
    const images = Object.values(manifest.dockerImages);
    assert.equal(images.length, 1);
    return join(outdir, images[0]!.source.directory);
  };
  const sharpLayer = `${PROJECT_ROOT}layers/sharp/nodejs/node_modules`;

  it('copies sharp for linux-arm64 and the face files onto the pinned arm64 Node image, with no RUN step, and names their paths', () => {
    const dockerfile = readFileSync(join(context(), 'Dockerfile'), 'utf8');
    const lines = dockerfile.split('\n').filter((line) => line && !line.startsWith('#'));
    assert.equal(lines[0], `FROM --platform=linux/arm64 ${NODE_IMAGE}`);
    assert.deepEqual(
      lines.filter((line) => /^(RUN|ADD)\b/.test(line)),
      [],
    );
    const env = lines.find((line) => line.startsWith('ENV '))!;
    for (const [name, value] of Object.entries(FACE_ENVIRONMENT)) assert.ok(env.split(' ').includes(`${name}=${value}`), name);
    assert.ok(lines.includes(`COPY faces ${FACES_DIR}`));
    assert.ok(lines.includes('WORKDIR /app'));
    assert.ok(lines.includes('COPY node_modules node_modules'));
    assert.ok(lines.includes('COPY main.mjs main.mjs.map ./'));
    assert.equal(lines.at(-1), 'CMD ["node", "main.mjs"]');

    const faces = join(context(), 'faces');
    for (const { source, target } of faceFiles()) assert.equal(statSync(join(faces, target)).size, statSync(source).size, target);
    assert.equal(
      readdirSync(faces, { recursive: true }).filter((name) => statSync(join(faces, String(name))).isFile()).length,
      faceFiles().length,
    );

    const modules = join(context(), 'node_modules');
    const version = (root: string) => (JSON.parse(readFileSync(join(root, 'sharp/package.json'), 'utf8')) as { version: string }).version;
    assert.equal(version(modules), version(sharpLayer));
    assert.ok(existsSync(join(modules, '@img/sharp-linux-arm64')));
    assert.ok(existsSync(join(modules, '@img/sharp-libvips-linux-arm64')));
    assert.deepEqual(
      readdirSync(modules).sort(),
      readdirSync(sharpLayer)
        .filter((name) => !['.bin', '.package-lock.json'].includes(name))
        .sort(),
    );
  });

  it('starts from its bundle with no node_modules but sharp, the face engine loaded from the image’s files, and serves the vision routes', async () => {
    // The bundle in a folder of its own (no node_modules above it), sharp for this machine in
    // place of the image's linux-arm64 one, the face files where the variables say.
    const folder = mkdtempSync(join(tmpdir(), 'tessera-container-'));
    try {
      for (const name of ['main.mjs', 'main.mjs.map']) copyFileSync(join(context(), name), join(folder, name));
      mkdirSync(join(folder, 'node_modules'));
      symlinkSync(`${PROJECT_ROOT}node_modules/sharp`, join(folder, 'node_modules/sharp'));
      const server = spawn(process.execPath, ['main.mjs'], {
        cwd: folder,
        env: {
          PATH: process.env.PATH ?? '',
          PORT: '0',
          AWS_REGION: 'eu-west-1',
          TESSERA_FACE_MODELS_DIR: join(context(), FACE_ENVIRONMENT.TESSERA_FACE_MODELS_DIR.replace(`${FACES_DIR}/`, 'faces/')),
          TESSERA_FACE_WASM_DIR: join(context(), FACE_ENVIRONMENT.TESSERA_FACE_WASM_DIR.replace(`${FACES_DIR}/`, 'faces/')),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let errors = '';
      server.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
      try {
        // It listens only once the vision handlers' modules have loaded and warmed the engine.
        let port: number | undefined;
        for await (const line of createInterface({ input: server.stdout })) {
          if (line.includes('serving the largeBodies routes')) {
            port = (JSON.parse(line) as { port: number }).port;
            break;
          }
        }
        assert.ok(port, `the server did not start: ${errors}`);
        const health = await fetch(`http://127.0.0.1:${port}/health`);
        assert.equal(health.status, 200);
        const form = new FormData();
        form.append('meta', JSON.stringify({ space: '1', images: [{ name: 'file' }] }));
        form.append('file', new Blob([readFileSync(`${PROJECT_ROOT}node_modules/@vladmandic/face-api/demo/sample1.jpg`)]), 'sample1.jpg');
        const answer = await fetch(`http://127.0.0.1:${port}/api/v1/persons/recognize`, { method: 'POST', body: form });
        assert.equal(answer.status, 401);
        assert.equal(((await answer.json()) as { status: number }).status, 401, 'the vision dialect’s envelope');
      } finally {
        server.kill('SIGTERM');
        if (server.exitCode === null && server.signalCode === null) await once(server, 'exit');
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { App, CfnParameter, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildConsole } from '../../console/build.ts';
import { ConsoleSite } from '../../infra/constructs/console-site.ts';
import { nagFindings } from '../support/cdk-nag.ts';

/** The console's construct alone, in a stack of its own (the full stack's synth in stack.test.ts runs cdk-nag over it too). */
const outdir = mkdtempSync(join(tmpdir(), 'tessera-console-synth-'));
let template: Template;
let stack: Stack;

before(async () => {
  const siteDir = await buildConsole(join(outdir, 'site'));
  const app = new App({ outdir: join(outdir, 'cdk.out') });
  stack = new Stack(app, 'ConsoleOnly', { env: { account: '123456789012', region: 'eu-west-1' } });
  const logs = new Bucket(stack, 'Logs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
  });
  Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'The access-log bucket itself (test stand-in).' });
  // A token, as the API's CloudFront URL is in the real stack: resolved at deploy into config.json.
  const apiUrl = new CfnParameter(stack, 'ApiUrl', { default: 'https://api.example.net' }).valueAsString;
  new ConsoleSite(stack, 'Console', { siteDir, apiUrl, logBucket: logs });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  template = Template.fromStack(stack);
});
after(() => rmSync(outdir, { recursive: true, force: true }));

describe('the console site', () => {
  it('passes cdk-nag AwsSolutions, every acknowledgement with a reason', () => {
    assert.deepEqual(nagFindings(stack), []);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  it('keeps its bucket private, read only by its distribution through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { LogFilePrefix: 'console/' },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('serves index.html over HTTPS only, with security headers, and logs', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', ResponseHeadersPolicyId: Match.anyValue() }),
        Logging: Match.objectLike({ Prefix: 'cloudfront-console/' }),
        Origins: [Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } })],
      }),
    });
  });

  it('deploys the built files and a config.json naming the API, then invalidates the page', () => {
    const [deployment] = Object.values(template.findResources('Custom::CDKBucketDeployment')) as Array<{
      Properties: Record<string, unknown>;
    }>;
    assert.ok(deployment);
    assert.equal((deployment.Properties.SourceObjectKeys as unknown[]).length, 2, 'the site and config.json');
    assert.match(JSON.stringify(deployment.Properties.SourceMarkers), /"Ref":"ApiUrl"/);
    assert.deepEqual(deployment.Properties.DistributionPaths, ['/index.html', '/config.json']);
  });

  it("gives the deployment's role exact actions, none of BucketDeployment's wildcards", () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Array<{
      Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } };
    }>;
    const actions = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement.flatMap((statement) => statement.Action));
    assert.deepEqual(
      actions.filter((action) => action.includes('*')),
      [],
    );
    assert.ok(actions.includes('cloudfront:CreateInvalidation') && actions.includes('s3:PutObject'), actions.join(', '));
  });
});

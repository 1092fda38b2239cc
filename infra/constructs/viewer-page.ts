import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { BUCKET } from '../../functions/resources.ts';

/** The page as the npm package `pannellum` ships it; the local public file server serves the same file. */
const PANNELLUM_BUILD = dirname(createRequire(import.meta.url).resolve(`pannellum/build/${BUCKET.viewer.page}`));

/**
 * Pannellum's standalone viewer page, copied into the files bucket under the viewer prefix, where
 * the distribution serves it on the same origin as the sets (the page refuses configs from other
 * origins). A deploy-time custom resource (BucketDeployment) does the copy, with a role written
 * here: it may only write under the viewer prefix, so it can never touch a client's file.
 */
export class ViewerPage extends Construct {
  constructor(scope: Construct, id: string, bucket: Bucket) {
    super(scope, id);
    const page = new Asset(this, 'Page', { path: PANNELLUM_BUILD, exclude: ['*', `!${BUCKET.viewer.page}`] });
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    role.addToPolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [page.bucket.arnForObjects(page.s3ObjectKey)] }));
    // `aws s3 sync` lists the destination prefix to compare, then puts; nothing else.
    role.addToPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${BUCKET.viewer.prefix}*`] } },
      }),
    );
    role.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects(`${BUCKET.viewer.prefix}*`)] }));
    const deployRole = role.withoutPolicyUpdates();

    new BucketDeployment(this, 'Deployment', {
      sources: [Source.bucket(page.bucket, page.s3ObjectKey)],
      destinationBucket: bucket,
      destinationKeyPrefix: BUCKET.viewer.prefix,
      // BucketDeployment grants itself read-write on the whole bucket (and more on the asset bucket);
      // those grants are dropped here and the exact statements above are the role's only policy.
      role: deployRole,
      logGroup,
      // The bucket holds every client's files. Prune (`aws s3 sync --delete`) and retainOnDelete: false
      // (`aws s3 rm --recursive` when the resource is deleted, and when it is replaced: after the new
      // copy was written) act on destinationKeyPrefix, the whole bucket without one. One page that a
      // new version overwrites in place needs neither, so both are off, and with no s3:DeleteObject in
      // its role the deployment can delete nothing at all.
      prune: false,
      retainOnDelete: true,
      contentType: 'text/html; charset=utf-8',
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.seconds(BUCKET.viewer.maxAgeSeconds))],
    });

    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/${BUCKET.viewer.prefix}*]`,
      reason: 'Puts only under the viewer prefix, which no client key can begin with; aws s3 sync names the keys when it runs.',
    });
    // BucketDeployment runs the copy in a singleton Lambda it places at the stack's root.
    const handler = Stack.of(this).node.children.find((child) => child instanceof LambdaFunction && child.role === deployRole);
    if (!handler) throw new Error("BucketDeployment's handler was not found at the stack's root");
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "aws-cdk-lib picks this handler's Python runtime together with its AWS CLI layer; it runs only while CloudFormation deploys, never for a request.",
    });
  }
}

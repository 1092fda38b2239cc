import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';

export interface ConsoleSiteProps {
  /** The built console (console/build.ts): index.html and assets/. */
  readonly siteDir: string;
  /** The API's base URL, written into the site's config.json. */
  readonly apiUrl: string;
  readonly logBucket: Bucket;
}

/**
 * The web console (docs/console.md): static files in a private bucket of their own, served by
 * CloudFront through origin access control. No server: the page talks to the API (whose CORS
 * allows this distribution's origin only). config.json, written at deploy, names the API.
 */
export class ConsoleSite extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  /** `https://<distribution>.cloudfront.net`: the origin the API's CORS allows. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ConsoleSiteProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'console/',
      // Only built files: a new deploy writes them again.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: false,
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tessera web console',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront-console/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;

    const logGroup = new LogGroup(this, 'DeployLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, 'DeployRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const site = new Asset(this, 'Site', { path: props.siteDir });
    const deployment = new BucketDeployment(this, 'Files', {
      sources: [Source.bucket(site.bucket, site.s3ObjectKey), Source.jsonData('config.json', { apiUrl: props.apiUrl })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/index.html', '/config.json'],
      // BucketDeployment's own grants (wildcards on the asset bucket and this one) are dropped; the
      // statements below are the role's only policy.
      role: role.withoutPolicyUpdates(),
      logGroup,
      // Hashed asset names never change content; the page and config.json are revalidated.
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.minutes(5))],
      // Its own size, so its singleton handler is not the viewer page's.
      memoryLimit: 256,
    });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    // The two sources: the build, and config.json (an asset BucketDeployment makes inside itself).
    const assets = [site, ...deployment.node.findAll().filter((child): child is Asset => child instanceof Asset)];
    role.addToPolicy(
      new PolicyStatement({ actions: ['s3:GetObject'], resources: assets.map((asset) => asset.bucket.arnForObjects(asset.s3ObjectKey)) }),
    );
    // `aws s3 sync --delete` lists, puts and prunes: this bucket holds nothing but the build.
    role.addToPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    role.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:DeleteObject'], resources: [this.bucket.arnForObjects('*')] }));
    role.addToPolicy(
      new PolicyStatement({
        actions: ['cloudfront:CreateInvalidation', 'cloudfront:GetInvalidation'],
        resources: [
          Stack.of(this).formatArn({
            service: 'cloudfront',
            region: '',
            resource: 'distribution',
            resourceName: this.distribution.distributionId,
          }),
        ],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*]`,
      reason:
        "The console's own bucket holds only the build, which each deploy writes and prunes whole; aws s3 sync names the keys when it runs.",
    });
    const handler = Stack.of(this).node.children.find((child) => child instanceof LambdaFunction && child.role === deployment.handlerRole);
    if (!handler) throw new Error("the console's BucketDeployment handler was not found at the stack's root");
    Validations.of(handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        "aws-cdk-lib picks this handler's Python runtime together with its AWS CLI layer; it runs only while CloudFormation deploys, never for a request.",
    });

    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason: 'The console is for every client of the API, wherever they are; a geo restriction is a per-deployment choice.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Static, cacheable GETs of public build output; attach a WAF web ACL per deployment if abuse shows up.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin TLS 1.2; a deployment with its own domain sets minimumProtocolVersion with its certificate.',
      },
    );
  }
}

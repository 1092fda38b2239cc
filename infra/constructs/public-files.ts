import { Annotations, Stack, Validations } from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { BUCKET } from '../../functions/resources.ts';
import type { FileStorage } from './file-storage.ts';
import { ViewerPage } from './viewer-page.ts';

/**
 * Panorama sets of public namespaces, served by CloudFront with origin access control. The bucket
 * stays private: its policy lets this distribution read only objects the worker tagged
 * `tessera-public=true` (it tags the files it writes under a namespace its client marked public),
 * and Pannellum's viewer page, deployed under its own prefix.
 * A viewer-request function collapses repeated slashes, because Pannellum joins the config's
 * directory ("…/pano.jpg/") with paths that begin with "/" ("/01/f0_0.jpg"), and S3 keys do not
 * collapse them the way file servers do.
 */
export class PublicFiles extends Construct {
  readonly distribution: Distribution;
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, storage: FileStorage) {
    super(scope, id);
    // Imported by name so CloudFront's OAC helper leaves the bucket policy to the statement below.
    const privateBucket = Bucket.fromBucketName(this, 'Origin', storage.bucket.bucketName);
    const collapseSlashes = new CloudFrontFunction(this, 'CollapseSlashes', {
      runtime: FunctionRuntime.JS_2_0,
      comment: 'Collapse repeated slashes in the path (Pannellum base path + "/01/…")',
      code: FunctionCode.fromInline(
        "function handler(event) { event.request.uri = event.request.uri.replace(/\\/{2,}/g, '/'); return event.request; }",
      ),
    });
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tessera public panorama sets',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(privateBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        // WebGL viewers read tiles cross-origin.
        responseHeadersPolicy: ResponseHeadersPolicy.CORS_ALLOW_ALL_ORIGINS,
        functionAssociations: [{ function: collapseSlashes, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: storage.accessLogs,
      logFilePrefix: 'cloudfront/',
    });
    const fromThisDistribution = {
      'AWS:SourceArn': Stack.of(this).formatArn({
        service: 'cloudfront',
        region: '',
        resource: 'distribution',
        resourceName: this.distribution.distributionId,
      }),
    };
    storage.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudFrontReadsPublicTaggedObjects',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [storage.bucket.arnForObjects('*')],
        conditions: { StringEquals: { ...fromThisDistribution, [`s3:ExistingObjectTag/${BUCKET.publicTag.key}`]: BUCKET.publicTag.value } },
      }),
    );
    // The viewer page is not a client file and carries no tag: it is readable by its prefix instead.
    new ViewerPage(this, 'Viewer', storage.bucket);
    storage.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudFrontReadsViewerPage',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [storage.bucket.arnForObjects(`${BUCKET.viewer.prefix}*`)],
        conditions: { StringEquals: fromThisDistribution },
      }),
    );
    Annotations.of(this.distribution).acknowledgeWarning(
      '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac',
      'Deliberate: the statement above grants this distribution read access to tagged objects only.',
    );
    this.baseUrl = `https://${this.distribution.distributionDomainName}`;
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: 'Panorama viewers are worldwide; a geo restriction is a per-deployment business choice.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'Read-only, cacheable GETs of tagged public files; attach a WAF web ACL per deployment if abuse shows up.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin TLS 1.2; a deployment with its own domain sets minimumProtocolVersion with its certificate.',
      },
    );
  }
}

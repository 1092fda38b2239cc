import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  OriginSslPolicy,
  PriceClass,
  ViewerProtocolPolicy,
  type BehaviorOptions,
  type IOrigin,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Route } from '../../functions/routes.ts';

/** A CloudFront path pattern as a regular expression: `*` any characters (slashes too), `?` one. */
const globPattern = (glob: string) =>
  new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );

/** A path of the table as a request would spell it (`{param}` as one segment, `{param+}` as two). */
const samplePath = (path: string) => path.replace(/\{[^}]+\+\}/g, 'a/b').replace(/\{[^}]+\}/g, 'a');

/**
 * CloudFront path patterns of the largeBodies routes (`{param}` becomes `*`). A pattern matches by
 * path only, whatever the method, so a path that any other route could also be asked by is refused:
 * that route would reach the container, which does not serve it.
 */
export function largeBodyPathPatterns(routes: readonly Route[]): string[] {
  const patterns = [...new Set(routes.filter((route) => route.largeBodies).map((route) => route.path.replace(/\{[^}]+\}/g, '*')))];
  for (const route of routes.filter((candidate) => !candidate.largeBodies)) {
    const clash = patterns.find((pattern) => globPattern(pattern).test(samplePath(route.path)));
    if (clash) {
      throw new Error(
        `${route.method} ${route.path} would go to the large-body container through the CloudFront path pattern ${clash}: ` +
          'a path is either largeBodies for every method or for none (functions/routes.ts)',
      );
    }
  }
  return patterns;
}

export interface ApiFrontDoorProps {
  readonly api: HttpApi;
  /** The viewer-request function (infra/oversize-function.ts). */
  readonly functionCode: string;
  readonly logBucket: IBucket;
  /** The container's origin and the path patterns sent to it; absent with `-c largeBodies=false`. */
  readonly largeBodies?: {
    readonly origin: IOrigin;
    /** Over HTTPS the origin is asked for by its own name (its certificate's); over HTTP it gets the viewer's Host. */
    readonly https: boolean;
    readonly pathPatterns: readonly string[];
  };
}

/**
 * The API's one hostname: a CloudFront distribution that caches nothing and forwards every
 * method, header, cookie and query string. The largeBodies routes' paths go to the container's
 * load balancer, everything else to the HTTP API. Its viewer-request function answers bodies over
 * a route's limit in the route's dialect and copies the viewer's Host into x-forwarded-host.
 */
export class ApiFrontDoor extends Construct {
  readonly distribution: Distribution;
  readonly domainName: string;
  readonly baseUrl: string;
  readonly edgeFunction: CloudFrontFunction;

  constructor(scope: Construct, id: string, props: ApiFrontDoorProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.edgeFunction = new CloudFrontFunction(this, 'Edge', {
      runtime: FunctionRuntime.JS_2_0,
      comment: "Tessera API: bodies over a route's limit answered in its dialect; viewer Host to x-forwarded-host",
      code: FunctionCode.fromInline(props.functionCode),
    });
    const behavior = (origin: IOrigin, forwardsViewerHost: boolean): BehaviorOptions => ({
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      cachePolicy: CachePolicy.CACHING_DISABLED,
      // With caching disabled, these forward Authorization too. API Gateway must see its own host in Host.
      originRequestPolicy: forwardsViewerHost ? OriginRequestPolicy.ALL_VIEWER : OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      compress: false,
      functionAssociations: [{ function: this.edgeFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
    });
    const apiOrigin = new HttpOrigin(`${props.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
      // API Gateway gives up on an integration after 29 s.
      readTimeout: Duration.seconds(30),
    });
    const large = props.largeBodies;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Tessera API: every dialect',
      defaultBehavior: behavior(apiOrigin, false),
      additionalBehaviors: Object.fromEntries(
        (large?.pathPatterns ?? []).map((pattern) => [pattern, behavior(large!.origin, !large!.https)]),
      ),
      httpVersion: HttpVersion.HTTP2_AND_3,
      // Clients are worldwide (the seeds' APIs are Chinese); the price class only changes per-request prices.
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront-api/',
    });
    this.domainName = this.distribution.distributionDomainName;
    this.baseUrl = `https://${this.domainName}`;
    Validations.of(this.distribution).acknowledge(
      { id: 'AwsSolutions-CFR1', reason: "The APIs' clients are worldwide; a geo restriction is a per-deployment business choice." },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'Every request is authenticated by its dialect (signatures, secrets, tokens) and API Gateway throttles; attach a WAF web ACL per deployment if abuse shows up.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin TLS 1.2; a deployment with its own domain sets minimumProtocolVersion with its certificate.',
      },
    );
    if (large && !large.https) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR5',
        reason:
          "Without a domain of its own the load balancer can have no certificate, so CloudFront reaches it over HTTP, inside AWS's network; it admits CloudFront's addresses only and requests with the secret origin header. Set largeBodiesOriginDomain and largeBodiesOriginCertificateArn for HTTPS (docs/architecture.md).",
      });
    }
  }
}

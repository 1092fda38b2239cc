import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpRoute, HttpRouteKey, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, routeGroups, type Route } from '../../functions/routes.ts';
import { FACE_ENVIRONMENT, FACE_GROUPS, FACE_MEMORY_MB } from '../face-files.ts';
import { PROJECT_ROOT, writeGroupEntry } from '../group-entries.ts';
import { TesseraFunction, type SharedResources } from './tessera-function.ts';

/** What the face groups' Lambdas run with besides their bundle: sharp (left out of every bundle) and the engine's data files. */
export interface FaceLayers {
  readonly sharp: ILayerVersion;
  readonly faces: ILayerVersion;
}

/**
 * The HTTP API: one route per row of functions/routes.ts that Lambda serves (all of them, or all
 * but the largeBodies routes when the container serves those), one Lambda per route group. A face
 * group's (FACE_GROUPS) also gets `faceLayers`, FACE_ENVIRONMENT and FACE_MEMORY_MB.
 */
export class HttpRoutes extends Construct {
  readonly api: HttpApi;
  readonly functions = new Map<string, NodejsFunction>();

  get url(): string {
    return this.api.apiEndpoint;
  }

  constructor(scope: Construct, id: string, resources: SharedResources, routes: readonly Route[] = ROUTES, faceLayers?: FaceLayers) {
    super(scope, id);
    this.api = new HttpApi(this, 'HttpApi', { createDefaultStage: false, description: 'Tessera: every dialect' });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 500, burstLimit: 1000 },
    });

    for (const [group, groupRoutes] of routeGroups(routes)) {
      const faces = FACE_GROUPS.has(group);
      if (faces && !faceLayers) throw new Error(`route group ${group} runs the face engine: give HttpRoutes the faceLayers`);
      const { fn } = new TesseraFunction(this, group, {
        access: group,
        entry: writeGroupEntry(group, groupRoutes),
        description: `Tessera ${group} routes`,
        // API Gateway's HTTP API waits 30 s at most for an integration (a hard limit): a longer
        // timeout would only keep working after the client has had API Gateway's 503.
        timeout: Duration.seconds(29),
        ...(faces && faceLayers
          ? { memorySize: FACE_MEMORY_MB, layers: [faceLayers.sharp, faceLayers.faces], environment: FACE_ENVIRONMENT }
          : {}),
        resources,
      });
      const integration = new HttpLambdaIntegration(`${group}Integration`, fn);
      for (const route of groupRoutes) this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
      this.functions.set(group, fn);
    }

    // A path no route serves is answered in the envelope the request speaks (COS <Error>, KMP, ost), not API Gateway's own.
    const { fn: notFound } = new TesseraFunction(this, 'not-found', {
      access: 'platform',
      entry: `${PROJECT_ROOT}functions/platform/not-found.ts`,
      description: 'Tessera: a path no route serves',
      timeout: Duration.seconds(5),
      resources,
    });
    new HttpRoute(this.api, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('notFoundIntegration', notFound),
    });
    this.functions.set('not-found', notFound);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Each dialect authenticates in its handler with the original API scheme (secret_key, xfyun HMAC, COS signature, X-Auth-Token, oauth_token); clients of those APIs cannot send an API Gateway authorizer token.',
    });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { bodyConfig } from '../functions/config.ts';
import { oversizeAnswers, type OversizeTemplate } from '../functions/platform/oversize-answers.ts';
import { ROUTES } from '../functions/routes.ts';
import { buildConsole } from '../console/build.ts';
import { CONSOLE_ORIGIN_ENV, CORS_RULE } from '../server/cors.ts';
import { ApiFrontDoor, largeBodyPathPatterns } from './constructs/api-front-door.ts';
import { ConsoleSite } from './constructs/console-site.ts';
import { FacesLayer } from './constructs/faces-layer.ts';
import { FileStorage } from './constructs/file-storage.ts';
import { HttpRoutes } from './constructs/http-routes.ts';
import { JobQueues } from './constructs/job-queues.ts';
import { LargeBodyService } from './constructs/large-body-service.ts';
import { Pipeline } from './constructs/pipeline.ts';
import { PublicFiles } from './constructs/public-files.ts';
import { ScheduledJobs } from './constructs/scheduled-jobs.ts';
import { SecretSealingKey } from './constructs/secret-sealing-key.ts';
import { SharpLayer } from './constructs/sharp-layer.ts';
import { StateTables } from './constructs/state-tables.ts';
import { FACE_GROUPS } from './face-files.ts';
import { oversizeFunctionSource } from './oversize-function.ts';

/** The public hostnames of the API, for handlers that check a signed Host against x-forwarded-host (comma-separated). */
export const API_HOSTS_ENV = 'TESSERA_API_HOSTS';

export interface TesseraStackProps extends StackProps {
  /**
   * Serve the largeBodies routes (functions/routes.ts) from the Fargate container, up to
   * maxLargeBodyBytes; off, they stay on Lambda with its 6 MB payload (context `largeBodies`).
   */
  readonly largeBodies: boolean;
  /** TESSERA_MAX_BODY_BYTES at synth: the container's limit, and the edge's for those routes. */
  readonly maxLargeBodyBytes: number;
  /** Each route's too-large answer in its dialect (functions/platform/oversize-answers.ts), for the edge function. */
  readonly oversize: ReadonlyMap<string, OversizeTemplate>;
  /** HTTPS from CloudFront to the container's load balancer (context largeBodiesOriginDomain + largeBodiesOriginCertificateArn). */
  readonly largeBodiesOrigin?: { readonly domainName: string; readonly certificateArn: string };
  /** The web console, built by Vite for this synth (console/build.ts), deployed by ConsoleSite. */
  readonly consoleDir: string;
}

let consoleBuild: Promise<string> | undefined;
/** One build of the console per process, in a folder of its own (removed when the process ends). */
function buildConsoleForSynth(): Promise<string> {
  consoleBuild ??= (() => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-console-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return buildConsole(join(dir, 'site'));
  })();
  return consoleBuild;
}

/** A boolean context value: `-c name=false` on the command line is the string "false". */
function contextFlag(scope: Construct, name: string, fallback: boolean): boolean {
  const value: unknown = scope.node.tryGetContext(name);
  if (value === undefined || value === null || value === '') return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`context ${name} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * The stack's props from the app's context (`largeBodies`, on unless "false";
 * `largeBodiesOriginDomain` and `largeBodiesOriginCertificateArn`, together or not at all) and the
 * dialects' too-large answers, which are rendered by loading every route module (asynchronous).
 */
export async function tesseraStackProps(scope: Construct, props: StackProps = {}): Promise<TesseraStackProps> {
  const largeBodies = contextFlag(scope, 'largeBodies', true);
  const maxLargeBodyBytes = bodyConfig.maxLargeBodyBytes();
  const domainName: unknown = scope.node.tryGetContext('largeBodiesOriginDomain');
  const certificateArn: unknown = scope.node.tryGetContext('largeBodiesOriginCertificateArn');
  if (Boolean(domainName) !== Boolean(certificateArn)) {
    throw new Error('context largeBodiesOriginDomain and largeBodiesOriginCertificateArn go together (HTTPS to the load balancer)');
  }
  return {
    ...props,
    largeBodies,
    maxLargeBodyBytes,
    oversize: await oversizeAnswers({ largeBodies, maxLargeBodyBytes }),
    consoleDir: await buildConsoleForSynth(),
    ...(domainName ? { largeBodiesOrigin: { domainName: String(domainName), certificateArn: String(certificateArn) } } : {}),
  };
}

/**
 * Tessera: one bucket, its state tables, the HTTP API of every dialect behind CloudFront (the
 * largeBodies routes on Fargate behind the same hostname), the sharp layer (and the faces layer
 * when a Lambda runs the face engine), and CloudFront for public sets.
 */
export class TesseraStack extends Stack {
  constructor(scope: Construct, id: string, props: TesseraStackProps) {
    super(scope, id, props);
    const storage = new FileStorage(this, 'Storage');
    const tables = new StateTables(this, 'Tables');
    const sealingKey = new SecretSealingKey(this, 'SecretSealing');
    const sharp = new SharpLayer(this, 'Sharp');
    const queues = new JobQueues(this, 'Queues');
    const publicFiles = new PublicFiles(this, 'PublicFiles', storage);
    const resources = { storage, tables, sealingKey, queues, publicBaseUrl: publicFiles.baseUrl };
    const containerRoutes = props.largeBodies ? ROUTES.filter((route) => route.largeBodies) : [];
    const lambdaRoutes = ROUTES.filter((route) => !containerRoutes.includes(route));
    // The face engine's files as a layer, only when a Lambda runs it (the container carries its own copy).
    const faceLayers = lambdaRoutes.some((route) => FACE_GROUPS.has(route.group))
      ? { sharp: sharp.layer, faces: new FacesLayer(this, 'Faces').layer }
      : undefined;
    const api = new HttpRoutes(this, 'Api', resources, lambdaRoutes, faceLayers);
    const container =
      containerRoutes.length > 0
        ? new LargeBodyService(this, 'LargeBodies', {
            resources,
            routes: containerRoutes,
            maxBodyBytes: props.maxLargeBodyBytes,
            logBucket: storage.accessLogs,
            ...(props.largeBodiesOrigin ? { https: props.largeBodiesOrigin } : {}),
          })
        : undefined;
    const front = new ApiFrontDoor(this, 'ApiFront', {
      api: api.api,
      functionCode: oversizeFunctionSource(props.oversize),
      logBucket: storage.accessLogs,
      ...(container
        ? {
            largeBodies: {
              origin: container.origin,
              https: container.https,
              pathPatterns: largeBodyPathPatterns(ROUTES),
            },
          }
        : {}),
    });
    for (const fn of api.functions.values()) fn.addEnvironment(API_HOSTS_ENV, front.domainName);
    container?.container.addEnvironment(API_HOSTS_ENV, front.domainName);
    // The web console, and the API's CORS for its origin only: API Gateway answers preflights for
    // the Lambda routes, the container (server/cors.ts) for the largeBodies ones.
    const consoleSite = new ConsoleSite(this, 'Console', {
      siteDir: props.consoleDir,
      apiUrl: front.baseUrl,
      logBucket: storage.accessLogs,
    });
    (api.api.node.defaultChild as CfnApi).corsConfiguration = {
      allowOrigins: [consoleSite.url],
      allowMethods: [...CORS_RULE.allowMethods],
      allowHeaders: [...CORS_RULE.allowHeaders],
      exposeHeaders: [...CORS_RULE.exposeHeaders],
      maxAge: CORS_RULE.maxAgeSeconds,
    };
    container?.container.addEnvironment(CONSOLE_ORIGIN_ENV, consoleSite.url);
    new ScheduledJobs(this, 'Jobs', resources);
    new Pipeline(this, 'Pipeline', { ...resources, sharpLayer: sharp.layer });

    new CfnOutput(this, 'ApiUrl', { value: front.baseUrl, description: 'Base URL of every dialect (CloudFront)' });
    new CfnOutput(this, 'ApiGatewayUrl', {
      value: api.url,
      description: "The HTTP API itself, behind ApiUrl: Lambda's limits, and the largeBodies routes only with largeBodies=false",
    });
    new CfnOutput(this, 'ConsoleUrl', {
      value: consoleSite.url,
      description: 'The web console (CloudFront); the only origin the API allows to call it from a browser',
    });
    new CfnOutput(this, 'BucketName', { value: storage.bucket.bucketName });
    new CfnOutput(this, 'PublicFilesUrl', {
      value: publicFiles.baseUrl,
      description: 'CloudFront base URL of public panorama sets and their viewer page (config_url and viewer_url answers point here)',
    });
    new CfnOutput(this, 'SealKeyId', {
      value: sealingKey.key.keyArn,
      description: 'KMS key for client secrets (CLI: TESSERA_SEAL_KMS_KEY_ID)',
    });
    for (const [name, table] of Object.entries(tables.byName)) {
      new CfnOutput(this, `${name}TableName`, { value: table.tableName });
    }
  }
}

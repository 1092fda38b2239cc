import { randomBytes } from 'node:crypto';
import { resetAwsClients, useClientPlugins } from '../functions/adapters/aws-clients.ts';
import { clientRegistry } from '../functions/adapters/client-registry.ts';
import { SEAL_LOCAL_KEY_ENV } from '../functions/adapters/secret-sealer.ts';
import type { HttpHandler } from '../functions/http/http-handler.ts';
import { BUCKET, TABLES } from '../functions/resources.ts';
import { ROUTES, type Route } from '../functions/routes.ts';
import { SCHEDULES } from '../functions/schedules.ts';
import { generateClientId, generateSecret } from '../functions/core/secret.ts';
import { startApiGateway, type ApiGateway } from './api-gateway.ts';
import { startPublicFiles } from './public-files.ts';
import { startS3Cors, type S3Cors } from './s3-cors.ts';
import { CONSOLE_ORIGIN_ENV } from '../server/cors.ts';
import { startEmulators, type Emulators } from './emulators.ts';
import { actingAs, iamGuard } from './iam-guard.ts';
import { provisionResources } from './provision.ts';
import { startWorkerLoop, type WorkerLoopOptions } from './worker-loop.ts';
import { forgetLocalStack, recordLocalStack } from './local-stack-file.ts';
import { useDeployedStack } from './stack-target.ts';

export interface DemoClient {
  readonly clientId: string;
  readonly secret: string;
  readonly namespace: string;
  /** The COS bucket name and region its ci requests use (TESSERA_DEMO_BUCKET, TESSERA_DEMO_REGION). */
  readonly cosBucket: string;
  readonly cosRegion: string;
  /** Whether its namespace is public (served by the file server); on unless set false. */
  readonly public: boolean;
}

export interface LocalStack {
  readonly url: string;
  /** The public file server: what CloudFront serves in AWS (TESSERA_PUBLIC_BASE_URL). */
  readonly publicUrl: string;
  /** Seeded on emulators and endpoints; a deployed stack keeps the clients it has. */
  readonly demo: DemoClient | undefined;
  /** Where the SDK is pointed: the embedded emulators, AWS_ENDPOINT_URL, or a deployed stack. */
  readonly target: 'embedded' | 'endpoint' | 'deployed';
  readonly gateway: ApiGateway;
  stop(): Promise<void>;
}

export interface LocalStackOptions {
  readonly port?: number;
  readonly host?: string;
  /** Port of the public file server (random when absent). */
  readonly publicPort?: number;
  readonly demo?: Partial<DemoClient>;
  readonly onError?: (error: unknown) => void;
  /** The in-process worker consuming the queues (on by default; false to run none). */
  readonly worker?: WorkerLoopOptions | false;
  /** Serve the API locally over a deployed stack's bucket and tables, with your AWS credentials. */
  readonly deployedStack?: string;
  /** Record the endpoints for `npm run client` (npm start does; tests do not). */
  readonly record?: boolean;
  /**
   * The web console's origin (docs/console.md): the only one the API's CORS allows. With the
   * embedded emulators, S3 then also answers CORS as the deployed bucket does (local/s3-cors.ts).
   */
  readonly consoleOrigin?: string;
}

const setDefault = (name: string, value: string) => {
  process.env[name] ||= value;
};

function configureEnvironment(emulators: Emulators | undefined): void {
  if (emulators) {
    process.env.AWS_ENDPOINT_URL_S3 = emulators.awsEndpoint;
    process.env.AWS_ENDPOINT_URL_SQS = emulators.awsEndpoint;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = emulators.dynamoEndpoint;
    // The emulators accept any credentials; these keep the SDK from looking for real ones.
    process.env.AWS_ACCESS_KEY_ID = 'local';
    process.env.AWS_SECRET_ACCESS_KEY = 'local';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
  }
  setDefault('AWS_REGION', 'us-east-1');
  setDefault(BUCKET.envVar, 'tessera-local');
  for (const table of Object.values(TABLES)) setDefault(table.envVar, `tessera-local-${table.id}`);
  setDefault(SEAL_LOCAL_KEY_ENV, randomBytes(32).toString('base64'));
  // Local development fetches from, and calls back to, servers on this machine.
  setDefault('TESSERA_ALLOW_LOOPBACK_URLS', '1');
  setDefault('POWERTOOLS_LOG_LEVEL', 'WARN');
}

async function seedDemoClient(wanted: Partial<DemoClient>): Promise<DemoClient> {
  const demo = {
    clientId: wanted.clientId ?? generateClientId(),
    secret: wanted.secret ?? generateSecret(),
    namespace: wanted.namespace ?? 'demo',
    cosBucket: wanted.cosBucket ?? 'demo-1250000000',
    cosRegion: wanted.cosRegion ?? 'ap-local',
    public: wanted.public ?? true,
  };
  const existing = await clientRegistry.get(demo.clientId);
  if (!existing) {
    await clientRegistry.create({
      clientId: demo.clientId,
      name: 'demo',
      namespaces: [demo.namespace],
      secret: demo.secret,
      cosBuckets: [{ bucket: demo.cosBucket, region: demo.cosRegion, namespace: demo.namespace }],
      publicNamespaces: demo.public ? [demo.namespace] : [],
    });
  }
  return demo;
}

function handlerLoader(): (route: Route) => Promise<HttpHandler> {
  const cache = new Map<string, Promise<HttpHandler>>();
  return (route) => {
    let loaded = cache.get(route.handler);
    if (!loaded) {
      loaded = import(`../functions/${route.handler}`).then((module: { handler: HttpHandler }) => module.handler);
      cache.set(route.handler, loaded);
    }
    return loaded;
  };
}

/** Runs each scheduled job at its rate, as EventBridge does on AWS. */
function runSchedules(onError: LocalStackOptions['onError']): NodeJS.Timeout[] {
  return SCHEDULES.map((schedule) => {
    const timer = setInterval(() => {
      import(`../functions/${schedule.handler}`)
        .then((module: { handler: () => Promise<unknown> }) => actingAs(schedule.name, () => module.handler()))
        .catch((error: unknown) => onError?.(error));
    }, schedule.everyMinutes * 60_000);
    timer.unref();
    return timer;
  });
}

/**
 * Tessera on this machine: S3, SQS and DynamoDB emulated in-process (or whatever
 * AWS_ENDPOINT_URL points at), the resources the CDK stack defines, and the HTTP API in front of
 * the same handlers Lambda runs.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const target = options.deployedStack ? 'deployed' : process.env.AWS_ENDPOINT_URL ? 'endpoint' : 'embedded';
  if (options.deployedStack) await useDeployedStack(options.deployedStack);
  const emulators = target === 'embedded' ? await startEmulators() : undefined;
  let s3Cors: S3Cors | undefined;
  try {
    configureEnvironment(emulators);
    if (options.consoleOrigin) process.env[CONSOLE_ORIGIN_ENV] = options.consoleOrigin;
    if (options.consoleOrigin && emulators) {
      s3Cors = await startS3Cors(emulators.awsEndpoint);
      process.env.AWS_ENDPOINT_URL_S3 = s3Cors.url;
    }
    // Every call the handlers make is held to their role's grants, as on AWS (local/iam-guard.ts).
    useClientPlugins([iamGuard]);
    if (target !== 'deployed') await provisionResources();
    const demo = target === 'deployed' ? undefined : await seedDemoClient(options.demo ?? {});
    const gateway = await startApiGateway({
      routes: ROUTES,
      loadHandler: handlerLoader(),
      port: options.port ?? 0,
      host: options.host,
      onError: options.onError,
    });
    const publicFiles = await startPublicFiles({ port: options.publicPort, host: options.host });
    process.env.TESSERA_PUBLIC_BASE_URL = publicFiles.url;
    // Outbound requests (sources, callbacks) never reach the stack's own ports, loopback or not.
    process.env.TESSERA_API_URL = gateway.url;
    const timers = runSchedules(options.onError);
    const worker = options.worker === false ? undefined : startWorkerLoop({ onError: options.onError, ...options.worker });
    if (options.record) recordLocalStack();
    return {
      url: gateway.url,
      publicUrl: publicFiles.url,
      demo,
      target,
      gateway,
      async stop() {
        for (const timer of timers) clearInterval(timer);
        await worker?.stop();
        await gateway.close();
        await publicFiles.close();
        if (options.record) forgetLocalStack();
        resetAwsClients();
        await s3Cors?.close();
        await emulators?.stop();
      },
    };
  } catch (error) {
    await s3Cors?.close();
    await emulators?.stop();
    throw error;
  }
}

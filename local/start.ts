import { parseArgs } from 'node:util';
import { buildConsole, consoleOrigins, startConsoleServer } from './console-server.ts';
import { startLocalStack } from './local-stack.ts';

const { values } = parseArgs({ options: { stack: { type: 'string' } } });
const port = Number(process.env.PORT ?? 3000);
const consolePort = Number(process.env.CONSOLE_PORT ?? port + 2);
// The web console is built while the stack starts; a failed build leaves the API running.
const consoleBuilt = buildConsole().then(
  () => true,
  (error: unknown) => {
    console.error(`the web console was not built (${(error as Error).message}); the API runs without it`);
    return false;
  },
);
const stack = await startLocalStack({
  port,
  publicPort: Number(process.env.PUBLIC_PORT ?? port + 1),
  host: process.env.HOST ?? '127.0.0.1',
  demo: {
    clientId: process.env.TESSERA_DEMO_CLIENT_ID || undefined,
    secret: process.env.TESSERA_DEMO_SECRET || undefined,
    namespace: process.env.TESSERA_DEMO_NAMESPACE || undefined,
    cosBucket: process.env.TESSERA_DEMO_BUCKET || undefined,
    cosRegion: process.env.TESSERA_DEMO_REGION || undefined,
    public: process.env.TESSERA_DEMO_PUBLIC !== '0',
  },
  onError: (error) => console.error('request failed:', error),
  record: !values.stack,
  deployedStack: values.stack,
  consoleOrigin: consoleOrigins(consolePort),
});
const consoleServer = (await consoleBuilt)
  ? await startConsoleServer({ apiUrl: stack.url, port: consolePort, host: process.env.HOST ?? '127.0.0.1' }).catch((error: unknown) => {
      console.error(`the web console could not be served on port ${consolePort}: ${(error as Error).message}`);
      return undefined;
    })
  : undefined;

const where = {
  embedded: 'embedded emulators (fauxqs + dynalite)',
  endpoint: process.env.AWS_ENDPOINT_URL,
  deployed: `the resources of stack ${values.stack}`,
}[stack.target];
console.log(`Tessera is running on http://127.0.0.1:${port} against ${where}`);
console.log(`Public files (panorama sets of public namespaces, as CloudFront serves them): ${stack.publicUrl}/`);
if (stack.demo) {
  console.log('Demo client (the secret is shown only now):');
  console.log(`  client id : ${stack.demo.clientId}`);
  console.log(`  secret    : ${stack.demo.secret}`);
  console.log(`  namespace : ${stack.demo.namespace}/${stack.demo.public ? ' (public)' : ''}`);
  console.log(`  COS bucket: ${stack.demo.cosBucket} (${stack.demo.cosRegion}), for the ci dialect`);
}
if (consoleServer) console.log(`Web console: ${consoleServer.url}/ (sign in with a client id and secret)`);
console.log(`Try: curl http://127.0.0.1:${port}/health`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Tessera…');
  await consoleServer?.close();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);

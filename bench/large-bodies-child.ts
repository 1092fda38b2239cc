/**
 * One process of the large-bodies bench (bench/large-bodies.ts), so that each one's RSS is its own:
 *   emulators — fauxqs (S3, SQS) and dynalite, as npm start embeds them (local/emulators.ts);
 *   server    — the local stack (startLocalStack with a demo client: the API, largeBodies routes
 *               through serveStreamed as in npm start), over the emulators that AWS_ENDPOINT_URL
 *               names, or over embedded ones (then this process holds fauxqs too) when none is named.
 * Over IPC it sends {type: 'ready', …}; it answers {type: 'gc'} after a full collection (so each
 * round's baseline follows one), and {type: 'calls'} with the time the server spent in each AWS
 * command since the last ask (read by the bench only; nothing in the handlers changes). {type: 'stop'} ends it.
 */
import { resetAwsClients, s3, dynamo } from '../functions/adapters/aws-clients.ts';
import { BUCKET } from '../functions/resources.ts';
import { startEmulators } from '../local/emulators.ts';
import { startLocalStack, type DemoClient } from '../local/local-stack.ts';

export type ChildMessage =
  | { type: 'ready'; s3Endpoint: string; dynamoEndpoint?: string; url?: string; bucket?: string; target?: string }
  | { type: 'gc'; rss: number }
  | { type: 'calls'; calls: Record<string, { count: number; ms: number }> };

export type ParentMessage = { type: 'gc' } | { type: 'calls' } | { type: 'stop' };

const send = (message: ChildMessage) => process.send!(message);
const collect = () => (globalThis as { gc?: () => void }).gc?.();

let stop: () => Promise<void>;
let calls: Record<string, { count: number; ms: number }> = {};

function record(command: string | undefined, started: number): void {
  const entry = (calls[command ?? '?'] ??= { count: 0, ms: 0 });
  entry.count++;
  entry.ms += performance.now() - started;
}

const timed =
  <Args, Result>(next: (args: Args) => Promise<Result>, command: string | undefined) =>
  async (args: Args): Promise<Result> => {
    const started = performance.now();
    try {
      return await next(args);
    } finally {
      record(command, started);
    }
  };

/** Times every command of the server's S3 and DynamoDB clients, by name. */
function timeAwsCalls(): void {
  const options = { step: 'initialize', name: 'bench-time-aws-calls' } as const;
  s3().middlewareStack.add((next, context) => timed(next, context.commandName), options);
  dynamo().middlewareStack.add((next, context) => timed(next, context.commandName), options);
}

if (process.argv[2] === 'emulators') {
  const emulators = await startEmulators();
  stop = () => emulators.stop();
  send({ type: 'ready', s3Endpoint: emulators.awsEndpoint, dynamoEndpoint: emulators.dynamoEndpoint });
} else {
  const demo = JSON.parse(process.argv[3]!) as Partial<DemoClient>;
  const stack = await startLocalStack({ demo, onError: (error) => console.error('bench server:', error) });
  stop = async () => {
    await stack.stop();
    resetAwsClients();
  };
  timeAwsCalls();
  send({
    type: 'ready',
    url: stack.url,
    s3Endpoint: process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL!,
    bucket: process.env[BUCKET.envVar],
    target: stack.target,
  });
}

process.on('message', (message: ParentMessage) => {
  if (message.type === 'gc') {
    collect();
    setImmediate(() => {
      collect();
      send({ type: 'gc', rss: process.memoryUsage.rss() });
    });
  } else if (message.type === 'calls') {
    send({ type: 'calls', calls });
    calls = {};
  } else if (message.type === 'stop') {
    void stop().finally(() => process.exit(0));
  }
});

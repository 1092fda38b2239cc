import { dynamo, kms, s3, sqs } from '../../functions/adapters/aws-clients.ts';
import { QUEUES, queueUrl, type QueueName } from '../../functions/resources.ts';

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface RecordableStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
  remove(name: string): boolean;
}

type Client = ReturnType<typeof s3> | ReturnType<typeof dynamo> | ReturnType<typeof kms> | ReturnType<typeof sqs>;

/** Hands every command `clients` send while `action` runs (its name, its input) to `record`; `name` tells recorders apart. */
async function recordingDuring(
  name: string,
  clients: readonly Client[],
  record: (commandName: string, input: Record<string, unknown>) => void,
  action: () => Promise<unknown>,
): Promise<void> {
  for (const client of clients) {
    (client.middlewareStack as unknown as RecordableStack).add(
      (next, context) => async (args) => {
        record(context.commandName ?? 'unknown', args.input);
        return next(args);
      },
      { step: 'initialize', name },
    );
  }
  try {
    await action();
  } finally {
    for (const client of clients) (client.middlewareStack as unknown as RecordableStack).remove(name);
  }
}

/**
 * Records the AWS commands the handlers send while `action` runs, in order. Two requests that
 * send the same commands do the same work: that is how the tests show that another client's id
 * is handled exactly like an unknown one, without timing anything.
 */
export async function sdkCallsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  await recordingDuring('tessera-test-recorder', [s3(), dynamo(), kms()], (command) => calls.push(command), action);
  return calls;
}

const ONCE = 'tessera-test-once-before';

/** An attribute as the DynamoDB client marshalled it ({ S: "…" }), or as it was. */
export const plainAttribute = (value: unknown) =>
  value && typeof value === 'object' && 'S' in value ? (value as { S: unknown }).S : value;

/**
 * Runs `action` once, just before the first DynamoDB command that `matches` (its name, its input
 * as the client marshalled it), then sends that command: for a race a test must place exactly.
 * The hook is gone once it fired, or when `remove` is called.
 */
export function onceBeforeDynamo(
  matches: (commandName: string, input: Record<string, unknown>) => boolean,
  action: () => Promise<unknown>,
): { readonly fired: () => boolean; readonly remove: () => void } {
  const stack = dynamo().middlewareStack as unknown as RecordableStack;
  let fired = false;
  stack.add(
    (next, context) => async (args) => {
      if (fired || !matches(context.commandName ?? '', args.input)) return next(args);
      fired = true;
      stack.remove(ONCE);
      await action();
      return next(args);
    },
    { step: 'initialize', name: ONCE },
  );
  return { fired: () => fired, remove: () => void stack.remove(ONCE) };
}

/**
 * The messages `action` sends to queues, in order: the queue and the delay of each. Calls made
 * while `ignoring()` are someone else's (a test's own requests placed inside the action).
 */
export async function queueSendsDuring(
  action: () => Promise<unknown>,
  ignoring: () => boolean = () => false,
): Promise<{ queue: QueueName; delaySeconds: number }[]> {
  const sent: { queue: QueueName; delaySeconds: number }[] = [];
  const byQueue = new Map((Object.keys(QUEUES) as QueueName[]).map((name) => [queueUrl(name), name]));
  await recordingDuring(
    'tessera-test-queue-recorder',
    [sqs()],
    (command, input) => {
      const queue = byQueue.get(String(input.QueueUrl));
      if (queue && command === 'SendMessageCommand' && !ignoring()) sent.push({ queue, delaySeconds: Number(input.DelaySeconds ?? 0) });
    },
    action,
  );
  return sent;
}

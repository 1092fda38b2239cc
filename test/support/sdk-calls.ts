import { dynamo, kms, s3 } from '../../functions/adapters/aws-clients.ts';

type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface RecordableStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
  remove(name: string): boolean;
}

const NAME = 'tessera-test-recorder';

/**
 * Records the AWS commands the handlers send while `action` runs, in order. Two requests that
 * send the same commands do the same work: that is how the tests show that another client's id
 * is handled exactly like an unknown one, without timing anything.
 */
export async function sdkCallsDuring(action: () => Promise<unknown>): Promise<string[]> {
  const calls: string[] = [];
  const clients = [s3(), dynamo(), kms()];
  for (const client of clients) {
    (client.middlewareStack as unknown as RecordableStack).add(
      (next, context) => async (args) => {
        calls.push(context.commandName ?? 'unknown');
        return next(args);
      },
      { step: 'initialize', name: NAME },
    );
  }
  try {
    await action();
  } finally {
    for (const client of clients) (client.middlewareStack as unknown as RecordableStack).remove(NAME);
  }
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

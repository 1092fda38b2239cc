import { dynamo, kms, s3 } from '../../functions/adapters/aws-clients.ts';

type Next = (args: unknown) => Promise<unknown>;
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

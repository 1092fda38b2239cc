import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { dynamo, s3 } from '../../functions/adapters/aws-clients.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';

const SECRET = 'faults-secret';
const stack = useLocalStack({ demo: { secret: SECRET, namespace: 'demo' } });
const FAULT = 'tessera-test-fault';
const LASTING_FAULT = 'tessera-test-lasting-fault';

/**
 * Faults the emulators cannot produce (a 500 from S3, throttling from DynamoDB), injected into
 * the real SDK clients the handlers use, once, for one command.
 */
type Next = (args: unknown) => Promise<unknown>;
interface FaultableStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
}

function failOnce(client: ReturnType<typeof s3> | ReturnType<typeof dynamo>, command: string, error: Error): void {
  let armed = true;
  (client.middlewareStack as unknown as FaultableStack).add(
    (next, context) => async (args) => {
      if (armed && context.commandName === command) {
        armed = false;
        throw error;
      }
      return next(args);
    },
    { step: 'initialize', name: FAULT },
  );
}

/** Fails every call of one command until the test ends. */
function failAlways(client: ReturnType<typeof s3>, command: string, error: Error): void {
  (client.middlewareStack as unknown as FaultableStack).add(
    (next, context) => async (args) => {
      if (context.commandName === command) throw error;
      return next(args);
    },
    { step: 'initialize', name: LASTING_FAULT },
  );
}

afterEach(() => {
  s3().middlewareStack.remove(FAULT);
  s3().middlewareStack.remove(LASTING_FAULT);
  dynamo().middlewareStack.remove(FAULT);
});

const upload = (filename: string, data: string) =>
  postForm(`${stack.current.url}/upload`, { secret_key: SECRET, filename, filedata: { data } });

describe('faults behind /upload', () => {
  it('an S3 500 on the write answers 500 in the envelope, stores nothing, and frees the name', async () => {
    failOnce(
      s3(),
      'PutObjectCommand',
      new S3ServiceException({
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'We encountered an internal error',
      }),
    );
    assert.deepEqual(await upload('demo/fault-s3.txt', 'lost?'), { status: 500, body: { message: 'internal error', msg_code: 0 } });
    assert.equal(await objectStore.head('demo/fault-s3.txt'), undefined);
    assert.deepEqual(await upload('demo/fault-s3.txt', 'second try'), { status: 200, body: { message: 'OK', msg_code: 1 } });
  });

  it('when S3 fails the write and cannot even say what it holds, the name is still freed', async () => {
    const s3Down = () =>
      new S3ServiceException({
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
        message: 'We encountered an internal error',
      });
    failOnce(s3(), 'PutObjectCommand', s3Down());
    failAlways(s3(), 'HeadObjectCommand', s3Down());
    assert.deepEqual(
      await postForm(`${stack.current.url}/upload`, {
        secret_key: SECRET,
        filename: 'demo/fault-blind.txt',
        overwrite: '1',
        filedata: { data: 'x' },
      }),
      {
        status: 500,
        body: { message: 'internal error', msg_code: 0 },
      },
    );
    s3().middlewareStack.remove(LASTING_FAULT);
    assert.deepEqual(await upload('demo/fault-blind.txt', 'not blocked by a stale claim'), {
      status: 200,
      body: { message: 'OK', msg_code: 1 },
    });
  });

  it('DynamoDB throttling on the claim answers 500 and stores nothing', async () => {
    failOnce(
      dynamo(),
      'PutItemCommand',
      new DynamoDBServiceException({
        name: 'ProvisionedThroughputExceededException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'Rate exceeded',
      }),
    );
    assert.deepEqual(await upload('demo/fault-ddb.txt', 'x'), { status: 500, body: { message: 'internal error', msg_code: 0 } });
    assert.equal(await objectStore.head('demo/fault-ddb.txt'), undefined);
    assert.equal((await upload('demo/fault-ddb.txt', 'x')).status, 200);
  });
});

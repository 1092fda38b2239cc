import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { startFauxqs } from 'fauxqs';

export interface Emulators {
  /** S3 and SQS (fauxqs). */
  readonly awsEndpoint: string;
  /** DynamoDB (dynalite). */
  readonly dynamoEndpoint: string;
  stop(): Promise<void>;
}

/** Starts in-process stand-ins for S3, SQS and DynamoDB on free loopback ports, in memory. */
export async function startEmulators(): Promise<Emulators> {
  // Queue URLs come out as sqs.<region>.<host>: a name, since a dotted IP there is no valid URL.
  const fauxqs = await startFauxqs({ port: 0, host: 'localhost', logger: false });
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => dynamo.listen(0, '127.0.0.1', resolve));
  const { port } = dynamo.address() as AddressInfo;
  return {
    awsEndpoint: `http://127.0.0.1:${fauxqs.port}`,
    dynamoEndpoint: `http://127.0.0.1:${port}`,
    async stop() {
      dynamo.closeAllConnections();
      await Promise.all([fauxqs.stop(), new Promise<void>((resolve) => dynamo.close(() => resolve()))]);
    },
  };
}

import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { takeDenials } from '../../local/iam-guard.ts';
import { startLocalStack, type LocalStack } from '../../local/local-stack.ts';

/**
 * Starts the whole local stack (emulators, resources, HTTP API) once for a test file and stops
 * it afterwards, checking that nothing asked AWS for more than its role may do. Each test file
 * runs in its own process, so files never share state.
 */
export function useLocalStack(options: Parameters<typeof startLocalStack>[0] = {}): {
  readonly current: LocalStack;
  ready(): Promise<LocalStack>;
} {
  const holder: { current: LocalStack | undefined; starting?: Promise<LocalStack> } = { current: undefined };
  const ready = () => {
    holder.starting ??= startLocalStack(options).then((stack) => (holder.current = stack));
    return holder.starting;
  };
  // Other file-level hooks may run alongside this one: they await ready() rather than assume order.
  before(ready);
  after(async () => {
    await holder.current?.stop();
    // A refusal a handler caught and turned into an answer would otherwise pass unseen.
    assert.deepEqual(takeDenials(), [], 'every AWS call was one its role is granted (functions/access.ts)');
  });
  return {
    ready,
    get current() {
      if (!holder.current) throw new Error('the local stack has not started yet');
      return holder.current;
    },
  };
}

/** A tenant as the tests write it down: fixed credentials, its one namespace and the COS bucket mapped onto it. */
export interface TestClient {
  readonly id: string;
  readonly secret: string;
  readonly namespace: string;
  readonly bucket: string;
}

/** Registers a tenant beside the stack's demo client: the second tenant the isolation tests need to keep apart from the first. */
export async function registerClient(client: TestClient, region: string): Promise<void> {
  await clientRegistry.create({
    clientId: client.id,
    name: client.namespace,
    namespaces: [client.namespace],
    secret: client.secret,
    cosBuckets: [{ bucket: client.bucket, region, namespace: client.namespace }],
  });
}

export interface FormFile {
  readonly data: Buffer | string;
  readonly filename?: string;
  readonly type?: string;
}

/** Builds a multipart body the way curl -F and browsers do. */
export function multipart(fields: Record<string, string | FormFile>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([value.data], { type: value.type ?? 'application/octet-stream' }), value.filename ?? 'file');
  }
  return form;
}

export async function postForm(url: string, fields: Record<string, string | FormFile>) {
  const response = await fetch(url, { method: 'POST', body: multipart(fields) });
  return { status: response.status, body: (await response.json()) as { message: unknown; msg_code: number } };
}

/** Runs `action` with the largeBodies limit set lower, as an operator may set it. */
export async function withBodyLimit<T>(bytes: number, action: () => Promise<T>): Promise<T> {
  const before = process.env.TESSERA_MAX_BODY_BYTES;
  process.env.TESSERA_MAX_BODY_BYTES = String(bytes);
  try {
    return await action();
  } finally {
    if (before === undefined) delete process.env.TESSERA_MAX_BODY_BYTES;
    else process.env.TESSERA_MAX_BODY_BYTES = before;
  }
}

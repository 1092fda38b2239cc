import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { accessTokens } from '../../functions/services/access-tokens.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { KmpClient, type KmpAnswer } from '../support/kmp.ts';
import {
  KMP,
  UNKNOWN_TASK_ID,
  UNKNOWN_WORKSPACE_ID,
  answeredAsUnknown,
  expectKmpError,
  expectOk,
  kmpClientOf,
  newKmpClient,
  picprocessTask,
  sdkSignature,
  send,
  sendSigned,
  signLikeSdk,
  type AccessKeys,
  type KmpTestClient,
  type PreparedRequest,
  uploadTaskInputs,
  type SdkRequest,
} from '../support/kmp-fixtures.ts';
import { useLocalStack } from '../support/local-stack.ts';

const A = { clientId: 'tckmpautha0000000001', secret: 'kmp-auth-secret-a', namespace: 'kmpauth' };
const stack = useLocalStack({ demo: A, worker: false });
const keysA: AccessKeys = { accessKey: A.clientId, secretKey: A.secret };
const MINUTE = 60_000;

let a: KmpTestClient;
let b: KmpTestClient;
let workspaceId: string;
let taskId: string;

before(async () => {
  await stack.ready();
  a = kmpClientOf(stack.current.url, A);
  b = await newKmpClient(stack.current.url, 'kmpauthb');
  await uploadTaskInputs(stack.current.url, A);
  workspaceId = expectOk(
    await a.kmp.request<{ workspace_id: string }>('POST', '/v1/workspaces', { body: { workspace_name: 'auth_space' } }),
  ).workspace_id;
  taskId = expectOk(
    await a.kmp.request<{ task_id: string }>('POST', `/v1/real3d/${workspaceId}/tasks`, {
      body: picprocessTask('auth_probe', A.namespace),
    }),
  ).task_id;
});

/** Everything a refused request could have changed: A's workspaces, and the tasks and counts of the one holding a task. */
async function stateOfA(): Promise<unknown> {
  return {
    workspaces: expectOk(await a.kmp.request('GET', '/v1/workspaces', { query: { limit: 100 } })),
    tasks: expectOk(await a.kmp.request('GET', `/v1/real3d/${workspaceId}/tasks`, { query: { limit: 100 } })),
    overview: expectOk(await a.kmp.request('GET', `/v1/real3d/${workspaceId}/tasks/overview`)),
  };
}

/** Runs `action`, then checks that A's state is what it was before. */
async function changesNothing(action: () => Promise<void>): Promise<void> {
  const before = await stateOfA();
  await action();
  assert.deepEqual(await stateOfA(), before, 'a refused request changed nothing');
}

/** 401 KMP.00011001; `reason` when it matters which check refused it (and not some other one by accident). */
const unauthorized = (answer: KmpAnswer, reason?: RegExp) => expectKmpError(answer, 401, KMP.unauthorized, reason);

/** The request every refusal below tries: it would create a workspace, so "nothing changed" means something. */
const CREATE: SdkRequest = { method: 'POST', path: '/v1/workspaces', body: '{"workspace_name": "must_not_exist"}' };

const prepare = (request: SdkRequest = CREATE, keys: AccessKeys = keysA) => signLikeSdk(stack.current.url, keys, request);

/** The prepared request with its Authorization recomputed over `signedHeaders` only: a valid signature of less. */
function signedOver(prepared: PreparedRequest, signedHeaders: readonly string[]): PreparedRequest {
  const signature = sdkSignature({
    method: prepared.method,
    path: prepared.url.pathname,
    query: [...prepared.url.searchParams],
    headers: prepared.headers,
    body: prepared.body,
    signedHeaders,
    secretKey: A.secret,
  });
  const authorization = `SDK-HMAC-SHA256 Access=${A.clientId}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { ...prepared, headers: { ...prepared.headers, authorization } };
}

const withAuthorization = (prepared: PreparedRequest, authorization: string | undefined): PreparedRequest => {
  const { authorization: _signed, ...headers } = prepared.headers;
  return { ...prepared, headers: authorization === undefined ? headers : { ...headers, authorization } };
};

describe('AK/SK: requests signed as the SDKs sign them are accepted', () => {
  it("uses a signer that reproduces all ten reference vectors, so what passes below is the SDKs' signature, not the server's own", () => {
    interface Vector {
      readonly name: string;
      readonly method: string;
      readonly path: string;
      readonly query: ReadonlyArray<readonly [string, string | number | boolean]>;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
      readonly sk: string;
      readonly signed_headers: readonly string[];
      readonly signature: string;
    }
    const vectors = JSON.parse(readFileSync(new URL('../fixtures/kmp-signature-vectors.json', import.meta.url), 'utf8')) as Vector[];
    assert.equal(vectors.length, 10);
    for (const vector of vectors) {
      const signature = sdkSignature({
        method: vector.method,
        path: vector.path,
        query: vector.query.map(([key, value]) => [key, String(value)] as const),
        headers: Object.fromEntries(Object.entries(vector.headers).map(([name, value]) => [name.toLowerCase(), value])),
        body: vector.body,
        signedHeaders: vector.signed_headers,
        secretKey: vector.sk,
      });
      assert.equal(signature, vector.signature, vector.name);
    }
  });

  it('accepts a GET with repeated query keys, in the sorted order the Python SDK sends and signs', async () => {
    const answer = await sendSigned<{ tasks: Array<{ task_id: string }>; page: unknown }>(stack.current.url, keysA, {
      method: 'GET',
      path: `/v1/real3d/${workspaceId}/tasks`,
      query: [
        ['task_status', 'RUNNING'],
        ['task_status', 'INIT'],
        ['task_name', 'PROBE'],
        ['offset', '0'],
        ['limit', '10'],
      ],
    });
    const body = expectOk(answer);
    assert.deepEqual(
      body.tasks.map((task) => task.task_id),
      [taskId],
    );
    assert.deepEqual(body.page, { offset: 0, limit: 10, total: 1 });
  });

  it('accepts repeated values in the order a Java client sent them, unsorted', async () => {
    const answer = await sendSigned<{ tasks: Array<{ task_id: string }> }>(stack.current.url, keysA, {
      method: 'GET',
      path: `/v1/real3d/${workspaceId}/tasks`,
      query: [
        ['task_status', 'RUNNING'],
        ['task_status', 'INIT'],
      ],
      queryOrder: 'java',
    });
    assert.deepEqual(
      expectOk(answer).tasks.map((task) => task.task_id),
      [taskId],
    );
  });

  it('accepts query values that need percent-encoding (space, "/", "+", "*", "~", CJK)', async () => {
    const answer = await sendSigned<{ data: unknown[]; page: { total: number } }>(stack.current.url, keysA, {
      method: 'GET',
      path: '/v1/workspaces',
      query: [['workspace_name', 'auth space/+*~ 工作']],
    });
    assert.equal(expectOk(answer).page.total, 0);
  });

  it('accepts a POST whose body is exactly what json.dumps writes ({"a": 1}), and a DELETE with a {} body', async () => {
    const created = expectOk(
      await sendSigned<{ workspace_id: string; workspace_name: string }>(stack.current.url, keysA, {
        method: 'POST',
        path: '/v1/workspaces',
        body: '{"workspace_name": "signed_post", "workspace_description": "made with AK/SK"}',
      }),
    );
    assert.equal(created.workspace_name, 'signed_post');
    const listed = await a.kmp.request<{ data: Array<{ workspace_id: string }> }>('GET', '/v1/workspaces', {
      query: { workspace_ids: [created.workspace_id] },
    });
    assert.equal(expectOk(listed).data.length, 1);

    const deleted = await sendSigned(stack.current.url, keysA, {
      method: 'DELETE',
      path: `/v1/workspaces/${created.workspace_id}`,
      body: '{}',
    });
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.text, 'true');
    const after = await a.kmp.request<{ data: unknown[] }>('GET', '/v1/workspaces', { query: { workspace_ids: [created.workspace_id] } });
    assert.equal(expectOk(after).data.length, 0);
  });

  it('accepts X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD (what the SDKs send for non-JSON bodies) when the header is signed', async () => {
    const created = expectOk(
      await sendSigned<{ workspace_id: string }>(stack.current.url, keysA, {
        method: 'POST',
        path: '/v1/workspaces',
        body: '{"workspace_name": "unsigned_payload"}',
        headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      }),
    );
    expectOk(await a.kmp.request('DELETE', `/v1/workspaces/${created.workspace_id}`));
  });

  it("accepts an X-Sdk-Date up to 15 minutes from the server's clock, either way", async () => {
    for (const skew of [-14 * MINUTE, 14 * MINUTE]) {
      const answer = await sendSigned(stack.current.url, keysA, {
        method: 'GET',
        path: '/v1/workspaces',
        date: new Date(Date.now() + skew),
      });
      assert.equal(answer.status, 200, `${skew / MINUTE} minutes: ${answer.text}`);
    }
  });
});

describe('AK/SK: anything else is refused with 401 KMP.00011001 and changes nothing', () => {
  it('refuses a signature made with another secret', () =>
    changesNothing(async () => {
      unauthorized(await send(prepare(CREATE, { accessKey: A.clientId, secretKey: 'not-the-secret' })));
      unauthorized(await send(prepare(CREATE, { accessKey: A.clientId, secretKey: b.secret })));
    }));

  it('refuses a request whose body, path or query changed after it was signed', () =>
    changesNothing(async () => {
      const body = prepare();
      body.body = '{"workspace_name": "swapped_in"}';
      unauthorized(await send(body));

      const path = prepare({ method: 'PUT', path: `/v1/workspaces/${UNKNOWN_WORKSPACE_ID}`, body: '{"star": 1}' });
      path.url = new URL(`/v1/workspaces/${workspaceId}`, stack.current.url);
      unauthorized(await send(path));

      const query = prepare({ method: 'GET', path: `/v1/real3d/${workspaceId}/tasks`, query: [['task_status', 'INIT']] });
      query.url.searchParams.set('task_status', 'RUNNING');
      unauthorized(await send(query));
    }));

  it('refuses an X-Sdk-Date more than 15 minutes off, either way', () =>
    changesNothing(async () => {
      for (const skew of [-16 * MINUTE, 16 * MINUTE, -24 * 60 * MINUTE]) {
        unauthorized(await send(prepare({ ...CREATE, date: new Date(Date.now() + skew) })), /15 minutes/);
      }
    }));

  it('refuses an X-Sdk-Date that is not a real YYYYMMDDTHHMMSSZ time, even correctly signed', () =>
    changesNothing(async () => {
      for (const date of ['20241301T000000Z', '2024-05-17T08:00:00Z', '20240517T080000', 'yesterday']) {
        unauthorized(await send(prepare({ ...CREATE, headers: { 'X-Sdk-Date': date } })), /X-Sdk-Date must be/);
      }
    }));

  it('refuses an access key nobody has', () =>
    changesNothing(async () => {
      unauthorized(await send(prepare(CREATE, { accessKey: 'tcnobody000000000001', secretKey: A.secret })));
    }));

  it('refuses a request with neither Authorization nor X-Auth-Token, or an empty Authorization', () =>
    changesNothing(async () => {
      unauthorized(await send(withAuthorization(prepare(), undefined)));
      unauthorized(await send(withAuthorization(prepare(), '')));
    }));

  it('refuses malformed Authorization headers', () =>
    changesNothing(async () => {
      const signed = prepare().headers.authorization!;
      const signature = /Signature=([0-9a-f]{64})$/.exec(signed)![1]!;
      const malformed = [
        'Bearer abc',
        'SDK-HMAC-SHA256',
        signed.replace('SDK-HMAC-SHA256', 'SDK-HMAC-SM3'),
        signed.replace('SDK-HMAC-SHA256', 'sdk-hmac-sha256'),
        signed.replace(`, Signature=${signature}`, ''),
        signed.replace(signature, 'z'.repeat(64)),
        signed.replace(signature, signature.slice(1)),
        `${signed}, Signature=${signature}`,
        `${signed}, Region=cn-north-4`,
        signed.replace('Access=', 'Access= '),
      ];
      for (const authorization of malformed) unauthorized(await send(withAuthorization(prepare(), authorization)));
    }));

  it('refuses a valid signature that does not cover host or x-sdk-date, or names a header that was not sent', () =>
    changesNothing(async () => {
      const request = prepare();
      const all = Object.keys(request.headers)
        .filter((name) => name !== 'authorization')
        .sort();
      unauthorized(
        await send(
          signedOver(
            request,
            all.filter((name) => name !== 'host'),
          ),
        ),
        /must include host/,
      );
      unauthorized(
        await send(
          signedOver(
            request,
            all.filter((name) => name !== 'x-sdk-date'),
          ),
        ),
        /must include host and x-sdk-date/,
      );
      unauthorized(await send(signedOver(request, [...all, 'x-not-sent'].sort())), /x-not-sent is missing/);
      // The control: over every header, the same request is accepted (and then removed again).
      const accepted = expectOk(await send<{ workspace_id: string }>(signedOver(prepare(), all)));
      expectOk(await a.kmp.request('DELETE', `/v1/workspaces/${accepted.workspace_id}`));
    }));

  it('refuses an X-Sdk-Content-Sha256 left out of the signature, or that is not the hash of the body', () =>
    changesNothing(async () => {
      // Unsigned, it would let anyone in the middle swap the body of a signed request.
      const unsigned = prepare();
      unsigned.headers['x-sdk-content-sha256'] = 'UNSIGNED-PAYLOAD';
      unsigned.body = '{"workspace_name": "swapped_in"}';
      unauthorized(await send(unsigned), /must include x-sdk-content-sha256/);

      const otherHash = prepare({
        ...CREATE,
        headers: { 'X-Sdk-Content-Sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
      });
      unauthorized(await send(otherHash), /hex SHA-256 of the body/);
    }));

  it('checks who is calling before reading the body: a bad signature on a body that is not JSON is 401, not 400', () =>
    changesNothing(async () => {
      unauthorized(
        await send(prepare({ method: 'POST', path: '/v1/workspaces', body: 'not json' }, { accessKey: A.clientId, secretKey: 'wrong' })),
      );
    }));
});

describe('X-Auth-Token', () => {
  it('accepts an access token from POST /auth/oauth/v1/token, for reads and writes', async () => {
    const viaToken = new KmpClient(stack.current.url, { token: await accessTokenOf(stack.current.url, A.clientId, A.secret) });
    const overview = expectOk(await viaToken.request<{ total_count: number }>('GET', `/v1/real3d/${workspaceId}/tasks/overview`));
    assert.equal(overview.total_count, 1);
    const created = expectOk(
      await viaToken.request<{ workspace_id: string }>('POST', '/v1/workspaces', { body: { workspace_name: 'token_made' } }),
    );
    const listed = expectOk(
      await a.kmp.request<{ data: Array<{ workspace_name: string }> }>('GET', '/v1/workspaces', {
        query: { workspace_ids: [created.workspace_id] },
      }),
    );
    assert.deepEqual(
      listed.data.map((workspace) => workspace.workspace_name),
      ['token_made'],
    );
    expectOk(await viaToken.request('DELETE', `/v1/workspaces/${created.workspace_id}`));
  });

  it('refuses an expired token, though it is signed with the real key', () =>
    changesNothing(async () => {
      const client = (await clientRegistry.get(A.clientId))!;
      // Issued two hours ago: the one way to hold a real token past its hour without waiting it out.
      const { accessToken } = await accessTokens.issue(client, Date.now() - 2 * 60 * MINUTE);
      assert.ok(decodeJwt(accessToken).exp! * 1000 < Date.now(), 'the token has expired');
      const fresh = await accessTokenOf(stack.current.url, A.clientId, A.secret);
      assert.equal(decodeProtectedHeader(accessToken).kid, decodeProtectedHeader(fresh).kid, 'signed with the key fresh tokens use');
      unauthorized(
        await new KmpClient(stack.current.url, { token: accessToken }).request('POST', '/v1/workspaces', {
          body: { workspace_name: 'late' },
        }),
        /expired/,
      );
    }));

  it('refuses a token shaped exactly like a real one but signed with another key, and a real one with its claims altered', () =>
    changesNothing(async () => {
      const real = await accessTokenOf(stack.current.url, A.clientId, A.secret);
      const now = Math.floor(Date.now() / 1000);
      const forged = await new SignJWT({ client_id: A.clientId, sv: decodeJwt(real).sv })
        .setProtectedHeader(decodeProtectedHeader(real) as { alg: string })
        .setIssuer(String(decodeJwt(real).iss))
        .setAudience(decodeJwt(real).aud!)
        .setSubject(A.clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(randomBytes(16).toString('base64url'))
        .sign(randomBytes(32));
      const [header, , signature] = real.split('.');
      const otherClaims = Buffer.from(JSON.stringify({ ...decodeJwt(real), client_id: b.clientId, sub: b.clientId })).toString('base64url');
      for (const token of [forged, `${header}.${otherClaims}.${signature}`, 'not-a-token']) {
        unauthorized(
          await new KmpClient(stack.current.url, { token }).request('POST', '/v1/workspaces', { body: { workspace_name: 'forged' } }),
        );
      }
    }));
});

describe("another client's credentials on A's things", () => {
  it("answers B's valid token on A's workspace 404 KMP.00021101, never 403, exactly as for a workspace that never existed", () =>
    changesNothing(async () => {
      const viaToken = new KmpClient(stack.current.url, { token: await accessTokenOf(stack.current.url, b.clientId, b.secret) });
      const requests: Array<(id: string) => Promise<KmpAnswer>> = [
        (id) => viaToken.request('GET', `/v1/real3d/${id}/tasks`),
        (id) => viaToken.request('GET', `/v1/real3d/${id}/tasks/overview`),
        (id) => viaToken.request('POST', `/v1/real3d/${id}/tasks`, { body: picprocessTask('intruder', b.namespace) }),
        (id) => viaToken.request('PUT', `/v1/workspaces/${id}`, { body: { workspace_name: 'taken_over', star: 1 } }),
        (id) => viaToken.request('DELETE', `/v1/workspaces/${id}`),
        (id) => viaToken.request('GET', '/v1/kmp-control/tasks', { query: { workspace_id: id, offset: 0, limit: 10 } }),
        (id) => viaToken.request('GET', '/v1/kmp-control/tasks/overview', { query: { workspace_id: id } }),
      ];
      for (const request of requests)
        expectKmpError(await answeredAsUnknown(request, workspaceId, UNKNOWN_WORKSPACE_ID), 404, KMP.notFound);
    }));

  it("answers B's token on A's task 404 KMP.00021101 exactly as for a task that never existed, by path or by id", () =>
    changesNothing(async () => {
      const viaToken = new KmpClient(stack.current.url, { token: await accessTokenOf(stack.current.url, b.clientId, b.secret) });
      const path = (id: string) => `/v1/real3d/${workspaceId}/tasks/${id}`;
      const requests: Array<(id: string) => Promise<KmpAnswer>> = [
        (id) => viaToken.request('PUT', path(id), { body: { task_name: 'renamed' } }),
        (id) => viaToken.request('POST', `${path(id)}/start`, { body: {} }),
        (id) => viaToken.request('POST', `${path(id)}/stop`),
        (id) => viaToken.request('POST', `${path(id)}/archive`, { body: { archive: true } }),
        (id) => viaToken.request('DELETE', path(id)),
        (id) => viaToken.request('POST', '/v1/kmp-control/tasks/start', { body: { id } }),
        (id) => viaToken.request('DELETE', '/v1/kmp-control/tasks', { body: { id } }),
      ];
      for (const request of requests) expectKmpError(await answeredAsUnknown(request, taskId, UNKNOWN_TASK_ID), 404, KMP.notFound);
    }));
});

describe('X-Request-Id', () => {
  it('names every answer, success or refusal, with its own id, which the SDKs put in their exceptions', async () => {
    const answers = await Promise.all([
      new KmpClient(stack.current.url, keysA).request('GET', '/v1/workspaces'),
      new KmpClient(stack.current.url, keysA).request('DELETE', '/v1/workspaces/00000000000000000000000000000000'),
      new KmpClient(stack.current.url, { ...keysA, secretKey: 'wrong' }).request('GET', '/v1/workspaces'),
    ]);
    const [listed, missing, unauthenticated] = answers;
    assert.deepEqual([listed!.status, missing!.status, unauthenticated!.status], [200, 404, 401]);
    const ids = [listed, missing, unauthenticated].map((answer) => answer!.requestId);
    for (const id of ids) assert.match(id ?? '', /\S{8,}/);
    assert.equal(new Set(ids).size, ids.length, 'one id per request');
  });
});

import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { formatSdkDate } from '../../functions/core/huawei-signature.ts';
import { KmpClient, type KmpAnswer } from './kmp.ts';
import { postForm } from './local-stack.ts';
import { sdkCallsDuring } from './sdk-calls.ts';
import { gradientJpeg } from './synthetic-images.ts';

/**
 * What the kmp integration tests share: an SDK-HMAC-SHA256 signer written from the recipe
 * (reference/kmp.md §6.2) without the server's code, so that a request it signs being accepted
 * shows the server agrees with Huawei's SDKs rather than with itself; requests it prepares and
 * tests may then spoil; KooMap's error body; clients; and task bodies.
 */

export interface AccessKeys {
  readonly accessKey: string;
  readonly secretKey: string;
}

export type QueryPairs = ReadonlyArray<readonly [string, string]>;

/** RFC 3986 percent-encoding, as Python's `quote(safe='~')` and Java's SignUtils do it: `!'()*` too. */
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * How a repeated query key's values are ordered: `python` sorts them (and sends the URL so),
 * `java` keeps them as the caller gave them (reference/kmp.md §6.2).
 */
export type QueryOrder = 'python' | 'java';

export interface SigningInput {
  readonly method: string;
  readonly path: string;
  readonly query: QueryPairs;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  readonly signedHeaders: readonly string[];
  readonly secretKey: string;
  readonly queryOrder?: QueryOrder;
}

/** The lower-hex SDK-HMAC-SHA256 signature of a request. */
export function sdkSignature(input: SigningInput): string {
  const segments = input.path.split('/').map((segment) => rfc3986(decodeURIComponent(segment)));
  const uri = segments.join('/').endsWith('/') ? segments.join('/') : `${segments.join('/')}/`;
  const query = [...input.query]
    .sort(([keyA, valueA], [keyB, valueB]) => byText(keyA, keyB) || (input.queryOrder === 'java' ? 0 : byText(valueA, valueB)))
    .map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`)
    .join('&');
  const headers = input.signedHeaders.map((name) => `${name}:${(input.headers[name] ?? '').trim()}\n`).join('');
  const payload = input.headers['x-sdk-content-sha256'] ?? sha256Hex(input.body);
  const canonical = [input.method.toUpperCase(), uri, query, headers, input.signedHeaders.join(';'), payload].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${input.headers['x-sdk-date']}\n${sha256Hex(canonical)}`;
  return createHmac('sha256', Buffer.from(input.secretKey, 'utf8')).update(toSign, 'utf8').digest('hex');
}

export interface SdkRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: QueryPairs;
  /** The exact body text; by default none for GET and `{}` otherwise, as the SDK core sends them. */
  readonly body?: string;
  /** Headers besides the SDK's own; signed, as the Python core signs every header present. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly date?: Date;
  readonly queryOrder?: QueryOrder;
}

/** A request ready to send: tests may change any part of it after it was signed. */
export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * Signs a request as the Python SDK core does (reference/kmp.md §6–7): Content-Type, Host,
 * User-Agent, X-Project-Id and X-Sdk-Date set first, all of them signed, sorted; the query in
 * sorted order on the wire (or, for `java`, repeated values in the order given).
 */
export function signLikeSdk(endpoint: string, keys: AccessKeys, request: SdkRequest): PreparedRequest {
  const order = request.queryOrder ?? 'python';
  const pairs =
    order === 'python' ? [...(request.query ?? [])].sort(([a, x], [b, y]) => byText(a, b) || byText(x, y)) : (request.query ?? []);
  const search = pairs.map(([key, value]) => `${rfc3986(key)}=${rfc3986(value)}`).join('&');
  const url = new URL(`${request.path}${search ? `?${search}` : ''}`, endpoint);
  const body = request.body ?? (request.method === 'GET' ? '' : '{}');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: url.host,
    'user-agent': 'huaweicloud-usdk-python/3.0; tessera-test',
    'x-project-id': '0123456789abcdef0123456789abcdef',
    'x-sdk-date': formatSdkDate((request.date ?? new Date()).getTime()),
    ...Object.fromEntries(Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value])),
  };
  const signedHeaders = Object.keys(headers)
    .filter((name) => !name.includes('_'))
    .sort();
  const signature = sdkSignature({
    method: request.method,
    path: url.pathname,
    query: pairs,
    headers,
    body,
    signedHeaders,
    secretKey: keys.secretKey,
    queryOrder: order,
  });
  headers.authorization = `SDK-HMAC-SHA256 Access=${keys.accessKey}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return { url, method: request.method, headers, body };
}

export interface RawAnswer<T = unknown> extends KmpAnswer<T> {
  readonly text: string;
}

/** Sends a prepared request as is (fetch sets Host itself, from the URL that was signed). */
export async function send<T = unknown>(prepared: PreparedRequest): Promise<RawAnswer<T>> {
  const { host: _host, ...headers } = prepared.headers;
  const response = await fetch(prepared.url, {
    method: prepared.method,
    headers,
    ...(prepared.body ? { body: prepared.body } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, body: (text ? JSON.parse(text) : undefined) as T };
}

export const sendSigned = <T = unknown>(endpoint: string, keys: AccessKeys, request: SdkRequest): Promise<RawAnswer<T>> =>
  send<T>(signLikeSdk(endpoint, keys, request));

/** KooMap's error body (reference/kmp.md §4): exactly `error_code` and a 2–512 character `error_msg`. */
export function expectKmpError(answer: KmpAnswer, status: number, code: string, message?: RegExp): void {
  const shown = JSON.stringify(answer.body);
  assert.equal(answer.status, status, shown);
  const body = answer.body as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['error_code', 'error_msg'], shown);
  assert.equal(body.error_code, code, shown);
  assert.equal(typeof body.error_msg, 'string', shown);
  const length = (body.error_msg as string).length;
  assert.ok(length >= 2 && length <= 512, `error_msg is ${length} characters`);
  if (message) assert.match(body.error_msg as string, message);
}

export function expectOk<T>(answer: KmpAnswer<T>): T {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

export const KMP = {
  invalidParameters: 'KMP.00011004',
  unauthorized: 'KMP.00011001',
  notFound: 'KMP.00021101',
  stateNotAllowed: 'KMP.00021102',
  duplicateName: 'KMP.00021103',
  limitReached: 'KMP.00021104',
} as const;

export interface KmpTestClient {
  readonly clientId: string;
  readonly secret: string;
  readonly namespace: string;
  readonly kmp: KmpClient;
}

/** A client of its own (its namespace named after it), signing as the SDK does with its id and secret. */
export async function newKmpClient(endpoint: string, namespace: string): Promise<KmpTestClient> {
  const { client, secret } = await clientRegistry.create({ name: namespace, namespaces: [namespace] });
  return kmpClientOf(endpoint, { clientId: client.clientId, secret, namespace });
}

export const kmpClientOf = (endpoint: string, client: { clientId: string; secret: string; namespace: string }): KmpTestClient => ({
  ...client,
  kmp: new KmpClient(endpoint, { accessKey: client.clientId, secretKey: client.secret }),
});

/** The files tasks work on: `<namespace>/in.jpg` (PICPROCESS) and `<namespace>/pano.jpg` (PANORAMA, 2:1). */
export async function uploadTaskInputs(endpoint: string, client: { secret: string; namespace: string }): Promise<void> {
  const photo = { data: await gradientJpeg(256, 128), type: 'image/jpeg' };
  for (const name of ['in.jpg', 'pano.jpg']) {
    const answer = await postForm(`${endpoint}/upload`, {
      secret_key: client.secret,
      filename: `${client.namespace}/${name}`,
      filedata: photo,
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
  }
}

/** A PICPROCESS create body (task-request.ts): a thumbnail of the client's in.jpg. */
export const picprocessTask = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  task_name: name,
  task_type: 'PICPROCESS',
  input_object: `${namespace}/in.jpg`,
  output_object: `${namespace}/out/${name}.jpg`,
  process_rule: 'imageMogr2/thumbnail/64x',
  ...extra,
});

/** A PANORAMA create body: tiles of the client's pano.jpg. */
export const panoramaTask = (name: string, namespace: string, extra: Record<string, unknown> = {}) => ({
  task_name: name,
  task_type: 'PANORAMA',
  input_object: `${namespace}/pano.jpg`,
  ...extra,
});

/** A well-formed id (32 hex digits for workspaces, a letter and 32 for tasks) that nothing has. */
export const UNKNOWN_WORKSPACE_ID = '0123456789abcdef0123456789abcdef';
export const UNKNOWN_TASK_ID = 'j00000000000000000000000000000000';

/** The answer with the id it names masked, to compare it with the answer about another id. */
const masked = (answer: KmpAnswer, id: string) => ({ status: answer.status, body: JSON.stringify(answer.body).replaceAll(id, '<id>') });

/**
 * Another client's request about `foreignId` is answered exactly as about `unknownId`, an id
 * nobody has, and through the same AWS calls (so not even the time taken tells them apart).
 * Answers the foreign answer.
 */
export async function answeredAsUnknown(
  send: (id: string) => Promise<KmpAnswer>,
  foreignId: string,
  unknownId: string,
): Promise<KmpAnswer> {
  await send(unknownId); // warm what a container caches (the caller's record, the signing key) so both measured calls start alike
  let unknown: KmpAnswer | undefined;
  let foreign: KmpAnswer | undefined;
  const unknownCalls = await sdkCallsDuring(async () => (unknown = await send(unknownId)));
  const foreignCalls = await sdkCallsDuring(async () => (foreign = await send(foreignId)));
  assert.deepEqual(masked(foreign!, foreignId), masked(unknown!, unknownId));
  assert.ok(unknownCalls.length > 0, "the recorder saw the request's AWS calls");
  assert.deepEqual(foreignCalls, unknownCalls, 'the same AWS calls for a foreign id as for an unknown one');
  return foreign!;
}

import type { JsonSchema } from './json-schema.ts';

/**
 * The dialects' answer envelopes as reusable schemas (`components.schemas`). They mirror the
 * renderers in functions/<dialect>/envelope.ts, which routes do not declare: keep them in step.
 */
/** ci's JSON form: the XML element's content under its root name (`{"Response": …}`, `{"Error": …}`). */
const jsonWrapper = (root: 'Response' | 'Error', description: string): JsonSchema => ({
  type: 'object',
  description,
  properties: { [root]: { $ref: `#/components/schemas/Ci${root}` } },
  required: [root],
});

export const ENVELOPE_SCHEMAS: Readonly<Record<string, JsonSchema>> = {
  PlatformError: {
    type: 'object',
    description: 'Any failure of a platform route.',
    properties: { status: { const: 'error' } },
    required: ['status'],
  },
  StorageOk: {
    type: 'object',
    description: 'The storage envelope on success. `message` is "OK" or the route\'s answer (a file\'s description, a panorama task).',
    properties: {
      message: { description: 'OK, or the answer itself.' },
      msg_code: {
        type: 'integer',
        enum: [1, 0],
        description: '1: success. 0 with HTTP 200 only where the route says so (a panorama build still running).',
      },
    },
    required: ['message', 'msg_code'],
  },
  StorageError: {
    type: 'object',
    description: 'The storage envelope on failure: HTTP 400, or 401/403 for credentials, or 500, always msg_code 0.',
    properties: { message: { type: 'string' }, msg_code: { const: 0 } },
    required: ['message', 'msg_code'],
  },
  OstOk: {
    type: 'object',
    description: 'The xfyun upload envelope on success.',
    properties: {
      code: { const: 0 },
      sid: { $ref: '#/components/schemas/OstSid' },
      data: { description: "The route's answer, e.g. `{url}` or `{upload_id}`; absent when it has none." },
      message: { const: 'success' },
    },
    required: ['code', 'sid', 'message'],
  },
  OstError: {
    type: 'object',
    description:
      'The xfyun upload envelope on failure. code: 10001 bad request (fields, slices, signature, app_id), 10002 S3 failed, 10003 DynamoDB failed, ' +
      '10004 the key service (KMS) failed, 10005 upload expired or unknown, 10006 any other I/O failure, 10007 task push (not produced by uploads).',
    properties: {
      code: { type: 'integer', enum: [10001, 10002, 10003, 10004, 10005, 10006, 10007] },
      sid: { $ref: '#/components/schemas/OstSid' },
      message: { type: 'string' },
    },
    required: ['code', 'sid', 'message'],
  },
  OstSid: {
    type: 'string',
    description: "A session id, unique per answer: `ost0001` + the route's tag + `@dx` + a hex timestamp and random suffix.",
    pattern: '^ost0001[0-9a-f]{4}@dx[0-9a-f]+$',
  },
  CiResponse: {
    type: 'object',
    description: "A ci answer: `<Response>` with the route's elements (JobsDetail, Template, QueueList, NextToken, …).",
    additionalProperties: true,
    xml: { name: 'Response' },
  },
  CiResponseJson: jsonWrapper('Response', 'A ci answer in JSON, when the request was JSON or asked for it (`Accept: application/json`).'),
  CiError: {
    type: 'object',
    description:
      "A ci failure as COS writes one, with COS's codes (e.g. InvalidArgument, InvalidAuthorization, SignatureDoesNotMatch, RequestTimeTooSkewed, AccessDenied, NoSuchJob, NoSuchTemplate, InternalError): " +
      'every element non-empty, as the Tencent SDKs read them. RequestTimeTooSkewed adds RequestTime and ServerTime, from which they correct their clock.',
    properties: {
      Code: { type: 'string' },
      Message: { type: 'string' },
      Resource: {
        type: 'string',
        description: 'The host and path asked for, e.g. `examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com/jobs`.',
      },
      RequestId: { type: 'string' },
      TraceId: { type: 'string', description: "API Gateway's trace id where it gives one; the request id otherwise." },
      RequestTime: { type: 'string', description: "RequestTimeTooSkewed only: the start of the signature's period (ISO 8601)." },
      ServerTime: { type: 'string', description: "RequestTimeTooSkewed only: the server's time (ISO 8601)." },
    },
    required: ['Code', 'Message', 'Resource', 'RequestId', 'TraceId'],
    xml: { name: 'Error' },
  },
  CiErrorJson: jsonWrapper('Error', 'A ci failure in JSON, when the request was JSON or asked for it.'),
  AuthTokenAnswer: {
    type: 'object',
    description: 'RFC 6749 §5.1: a new access token and the refresh token that renews it.',
    properties: {
      access_token: { type: 'string', description: "A JWT (HS256): vision's `oauth_token`, kmp's `X-Auth-Token`." },
      token_type: { const: 'Bearer' },
      expires_in: { type: 'integer', description: 'Seconds the access token is good for: 3600.' },
      refresh_token: {
        type: 'string',
        description: 'Opaque; good once, for 30 days, with `grant_type=refresh_token`. A client holds at most 25: a 26th drops the oldest.',
      },
    },
    required: ['access_token', 'token_type', 'expires_in', 'refresh_token'],
  },
  AuthError: {
    type: 'object',
    description: 'RFC 6749 §5.2. `server_error` (500) carries no description.',
    properties: {
      error: { type: 'string', enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'unsupported_grant_type', 'server_error'] },
      error_description: { type: 'string', description: 'What was wrong, in printable ASCII.' },
    },
    required: ['error'],
  },
  KmpError: {
    type: 'object',
    description: "KooMap's error body: a 12-character code (docs/kmp.md lists them) and what was wrong.",
    properties: { error_code: { type: 'string', pattern: '^KMP\\.\\d{8}$' }, error_msg: { type: 'string' } },
    required: ['error_code', 'error_msg'],
  },
  VisionOk: {
    type: 'object',
    description:
      "VK Cloud Vision's envelope. `body.objects` has one entry per image, in meta's order: `status` 0 done, 1 never will be (`error` says why), 2 temporary (try again); " +
      'recognize adds `persons` ({tag `person<ID>` or `undefined`, coord [left, top, right, bottom], confidence, similarity, and with searcher 1 sex, age, emotion, valence, arousal}) ' +
      'to an image with faces, and `aliases_changed`. truncate answers `{}`.',
    properties: {
      status: { const: 200 },
      body: { type: 'object' },
      htmlencoded: { const: false },
      last_modified: { const: 0 },
    },
    required: ['status', 'body', 'htmlencoded', 'last_modified'],
  },
  VisionError: {
    type: 'object',
    description: 'The same envelope with the HTTP status as `status` and what was wrong as a string `body`.',
    properties: {
      status: { type: 'integer' },
      body: { type: 'string' },
      htmlencoded: { const: false },
      last_modified: { const: 0 },
    },
    required: ['status', 'body', 'htmlencoded', 'last_modified'],
  },
};

/** Headers the dialects add to every answer (`components.headers`). */
export const ENVELOPE_HEADERS = {
  CiRequestId: {
    description:
      "The request's id, as both `x-ci-request-id` and `x-cos-request-id` (without which cos-nodejs-sdk-v5 2.x retries a 4xx), also the RequestId of an `<Error>`.",
    schema: { type: 'string' },
  },
  NoStore: { description: 'Tokens and their errors are never cached (RFC 6749 §5.1).', schema: { const: 'no-store' } },
  WwwAuthenticateBasic: { description: 'The challenge of a 401: `Basic realm="tessera"`.', schema: { type: 'string' } },
} as const;

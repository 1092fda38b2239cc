/**
 * What the API document says of each dialect as a whole: its tag, how a caller authenticates,
 * and the answers every one of its routes may give (the success envelope and each error status,
 * as functions/<dialect>/envelope.ts maps failures). Documentation only: the dialects' code
 * does the checking.
 */

export type DialectName = 'platform' | 'storage' | 'ost' | 'ci' | 'auth' | 'kmp' | 'vision';

type Json = { readonly [key: string]: unknown };

export interface DialectDocumentation {
  readonly description: string;
  readonly securitySchemes: Readonly<Record<string, Json>>;
  /** Alternatives, any one of which authenticates (empty: anyone may call). */
  readonly security: readonly Readonly<Record<string, readonly string[]>>[];
  /** A field the dialect authenticates by, documented as required among every route's fields. */
  readonly credentialField?: string;
  /** Where its form fields come from, when not as the default says (in the body or the query string, the body winning). */
  readonly formFields?: string;
  /** `components.responses` entries, keyed by the HTTP status they answer with. */
  readonly responses: Readonly<Record<string, { readonly name: string; readonly response: Json }>>;
}

const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
const json = (schema: string) => ({ 'application/json': { schema: ref(schema) } });
const answer = (name: string, description: string, content: Json, headers?: Json) => ({
  name,
  response: { description, ...(headers ? { headers } : {}), content },
});

const platformError = json('PlatformError');
const storageError = json('StorageError');
const ostError = json('OstError');
const ciError = { 'application/xml': { schema: ref('CiError') }, 'application/json': { schema: ref('CiErrorJson') } };
const ciHeaders = {
  'x-ci-request-id': { $ref: '#/components/headers/CiRequestId' },
  'x-cos-request-id': { $ref: '#/components/headers/CiRequestId' },
};
const authError = json('AuthError');
const kmpError = json('KmpError');
const visionError = json('VisionError');
const noStore = { 'cache-control': { $ref: '#/components/headers/NoStore' } };

export const DIALECTS: Readonly<Record<DialectName, DialectDocumentation>> = {
  platform: {
    description: "Tessera's own routes: no credentials, plain JSON.",
    securitySchemes: {},
    security: [],
    responses: {
      200: answer('PlatformOk', 'The answer, as JSON.', { 'application/json': { schema: { type: 'object' } } }),
      500: answer('PlatformError500', 'Internal error.', platformError),
    },
  },
  storage: {
    description:
      'The storage API (seed 000). Fields come as multipart/form-data, application/x-www-form-urlencoded or JSON, merged over the query string (the body wins); ' +
      'a GET takes them from the query string. The client is known by its `secret_key` field alone. Answers are `{message, msg_code}`.',
    securitySchemes: {
      storageSecretKey: {
        type: 'apiKey',
        in: 'query',
        name: 'secret_key',
        description: "The client's secret, as the `secret_key` field: in the query string, or (usually) among the body's form fields.",
      },
    },
    security: [{ storageSecretKey: [] }],
    credentialField: 'secret_key',
    responses: {
      200: answer('StorageOk', 'Success: msg_code 1.', json('StorageOk')),
      400: answer(
        'StorageError400',
        'Refused: a missing or malformed field, a name that already exists (without overwrite=1), a file that does not exist, a source that could not be fetched, too large.',
        storageError,
      ),
      401: answer('StorageError401', 'secret_key is missing or not valid.', storageError),
      403: answer('StorageError403', "Not allowed: a disabled client, a name outside the client's namespaces.", storageError),
      500: answer('StorageError500', 'Internal error (message "internal error").', storageError),
    },
  },
  ost: {
    description:
      "The xfyun upload API (seed 001): single and sliced uploads, JSON bodies or multipart fields, signed with HMAC-SHA256 headers whose api_key must be the body's `app_id`. " +
      'Answers are `{code, sid, data, message}`.',
    securitySchemes: {
      xfyunSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'authorization',
        description:
          'xfyun HMAC-SHA256: `authorization: api_key="<client id>", algorithm="hmac-sha256", headers="host date request-line digest", signature="<base64>"` ' +
          "(a leading `hmac ` is accepted). The signature is HMAC-SHA256, keyed by the client's secret, of one line per listed header (`name: value`; " +
          "`request-line` as `POST /path HTTP/1.1`); host, date and request-line must be signed. `date` (RFC 1123) must be within 300 s of the server's clock; " +
          "`digest` (`SHA-256=<base64>` of the body) is signed as sent and not compared with the body, as the official demos sign an empty body's.",
      },
    },
    security: [{ xfyunSignature: [] }],
    responses: {
      200: answer('OstOk', 'Success: code 0.', json('OstOk')),
      400: answer('OstError400', 'code 10001: a missing or malformed field, a bad slice.', ostError),
      401: answer('OstError401', 'code 10001: the signature is missing, stale or wrong (an unknown api_key included).', ostError),
      403: answer('OstError403', "code 10001: app_id is not the api_key's client, or the client is disabled.", ostError),
      404: answer('OstError404', 'code 10005: the upload has expired or does not exist.', ostError),
      409: answer(
        'OstError409',
        'code 10001: the upload is not in a state that allows this (completed, being completed, cancelled).',
        ostError,
      ),
      413: answer('OstError413', 'code 10001: too large.', ostError),
      500: answer('OstError500', 'code 10002 (S3), 10003 (DynamoDB), 10004 (KMS) or 10006 (other I/O) failed.', ostError),
      502: answer('OstError502', 'code 10006: an upstream service failed.', ostError),
    },
  },
  ci: {
    description:
      'Tencent Cloud Infinite image jobs (seed 002): `<Request>` bodies in XML, or the same structure in JSON (then answered in JSON), ' +
      'signed with COS `q-sign-algorithm=sha1` in the Authorization header or the query string. Answers are `<Response>` or `<Error>`.',
    securitySchemes: {
      cosSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description:
          'A COS request signature: `q-sign-algorithm=sha1&q-ak=<client id>&q-sign-time=<start>;<end>&q-key-time=<start>;<end>&q-header-list=…&q-url-param-list=…&q-signature=<hex>`, ' +
          'as the Tencent SDKs compute it with the client id as SecretId and its secret as SecretKey.',
      },
      cosPresigned: {
        type: 'apiKey',
        in: 'query',
        name: 'q-signature',
        description:
          'The same signature as query parameters (`q-sign-algorithm`, `q-ak`, `q-sign-time`, `q-key-time`, `q-header-list`, `q-url-param-list`, `q-signature`), as in a presigned URL.',
      },
    },
    security: [{ cosSignature: [] }, { cosPresigned: [] }],
    responses: {
      200: answer(
        'CiOk',
        'Success: `<Response>` in XML, or `{"Response": …}` in JSON. `PUT /jobs/{ids}?cancel` answers with an empty body.',
        { 'application/xml': { schema: ref('CiResponse') }, 'application/json': { schema: ref('CiResponseJson') } },
        ciHeaders,
      ),
      400: answer(
        'CiError400',
        'InvalidArgument, MissingContent, InvalidContent, ResourceNotFound (the input object), ResourceDownloadFailed, …',
        ciError,
        ciHeaders,
      ),
      401: answer('CiError401', 'MissingAuthorization, InvalidAuthorization.', ciError, ciHeaders),
      403: answer(
        'CiError403',
        "SignatureDoesNotMatch (a wrong signature, or an unknown SecretId), RequestTimeTooSkewed (the signature's period does not hold the server's time: " +
          "it carries ServerTime, and the Date header, for the SDKs to correct their clock), or AccessDenied (a disabled client, a bucket not the client's).",
        ciError,
        ciHeaders,
      ),
      404: answer('CiError404', 'NoSuchJob, NoSuchTemplate, NoSuchQueue.', ciError, ciHeaders),
      500: answer('CiError500', 'InternalError.', ciError, ciHeaders),
    },
  },
  auth: {
    description:
      "OAuth 2.0's token endpoint (RFC 6749) in VK Cloud's shape: the client-credentials grant (client id and secret → an access token for one hour and a refresh token) " +
      'and the refresh grant (a refresh token, good once → the next pair). Fields come as JSON (VK Cloud) or application/x-www-form-urlencoded (RFC 6749), ' +
      'secrets never in the URL; the client authenticates with `client_id` and `client_secret` among them or with HTTP Basic. The access token is a JWT, sent as ' +
      "vision's `oauth_token` and kmp's `X-Auth-Token`. Errors are `{error, error_description}` (RFC 6749 §5.2).",
    securitySchemes: {
      oauthClientBasic: {
        type: 'http',
        scheme: 'basic',
        description:
          'RFC 6749 §2.3.1: the client id and secret (each form-urlencoded) as the user and password, instead of `client_id` and `client_secret` fields.',
      },
      tesseraOAuth: {
        type: 'oauth2',
        description:
          "The tokens this endpoint issues, as the dialects that take them (vision's `oauth_token`, kmp's `X-Auth-Token`) will refer to them.",
        flows: { clientCredentials: { tokenUrl: '/auth/oauth/v1/token', refreshUrl: '/auth/oauth/v1/token', scopes: {} } },
      },
    },
    // The credentials may also be fields of the body, which no security scheme describes.
    security: [{ oauthClientBasic: [] }, {}],
    formFields: 'Form fields, in the body: `client_secret` and `refresh_token` are refused in the URL.',
    responses: {
      200: answer(
        'AuthToken',
        'The access token (a JWT, `expires_in` 3600 s) and a refresh token, never to be cached.',
        json('AuthTokenAnswer'),
        noStore,
      ),
      400: answer(
        'AuthError400',
        'invalid_request (a missing or repeated field, a secret in the URL, two ways of authenticating), unsupported_grant_type, or invalid_grant ' +
          "(a refresh token that is unknown, expired, already used (which revokes the ones issued after it) or revoked by a rotation of the client's secret).",
        authError,
        noStore,
      ),
      401: answer(
        'AuthError401',
        'invalid_client: an unknown client id, a wrong secret or a disabled client, in one answer that does not tell them apart.',
        authError,
        { ...noStore, 'www-authenticate': { $ref: '#/components/headers/WwwAuthenticateBasic' } },
      ),
      500: answer('AuthError500', '`{"error": "server_error"}`, with nothing of what went wrong.', authError, noStore),
    },
  },
  kmp: {
    description:
      "Huawei KooMap's task lifecycle (seed 003) as its Java SDK defines it: workspaces, tasks (PANORAMA or PICPROCESS, run by Tessera's pipeline), subtasks with their upload status, " +
      "and the satellite family's list shape. JSON bodies; arrays as repeated query keys; actions that take no input accept the SDK's empty `{}`. Errors are `{error_code, error_msg}` " +
      '(docs/kmp.md has the code table).',
    securitySchemes: {
      huaweiSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description:
          'Huawei SDK-HMAC-SHA256: `SDK-HMAC-SHA256 Access=<client id>, SignedHeaders=<a;b;…>, Signature=<hex>` with `X-Sdk-Date` (within 15 minutes), over the canonical request ' +
          "as Huawei's SDKs build it (signed headers must include host and x-sdk-date), keyed by the client's secret.",
      },
      kmpAuthToken: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Auth-Token',
        description: 'An access token from `POST /auth/oauth/v1/token`, instead of a signature.',
      },
    },
    security: [{ huaweiSignature: [] }, { kmpAuthToken: [] }],
    responses: {
      200: answer('KmpOk', 'The answer as JSON; actions that KooMap answers with `true` answer the bare literal `true`.', {
        'application/json': { schema: {} },
      }),
      400: answer(
        'KmpError400',
        "KMP.00011004 invalid parameters; KMP.00021102 the state does not allow this; KMP.00021103 the name is taken; KMP.00021104 a limit is reached; KMP.00021148 / KMP.00021149 a subtask's upload status.",
        kmpError,
      ),
      401: answer('KmpError401', 'KMP.00011001: no, a forged, stale or expired signature or token.', kmpError),
      403: answer('KmpError403', 'KMP.00011003: the client is disabled.', kmpError),
      404: answer('KmpError404', "KMP.00021101: the workspace, task or subtask does not exist (another client's included).", kmpError),
      409: answer('KmpError409', 'KMP.00021105: another request is changing the same task; try again.', kmpError),
      500: answer('KmpError500', 'KMP.00010001: internal error.', kmpError),
    },
  },
  vision: {
    description:
      "VK Cloud Vision's persons (seed 004): multipart/form-data with a JSON part `meta` and image parts named as `meta.images[].name` says (up to 100 images, " +
      '15 MiB each, 30 MiB in all; JPEG, PNG or TIFF, 5×5 to 3840×2160). Faces are found and compared by face-api (docs/vision.md). ' +
      'Answers are `{status, body, htmlencoded: false, last_modified: 0}`, the HTTP status mirroring `status`.',
    securitySchemes: {
      visionOAuthToken: {
        type: 'apiKey',
        in: 'query',
        name: 'oauth_token',
        description:
          'An access token from `POST /auth/oauth/v1/token`, or a service token (`npm run client -- token CLIENT_ID`: does not expire, revoked with `revoke-token`); ' +
          'with `oauth_provider=mcs` (`mr` is taken as the same).',
      },
    },
    security: [{ visionOAuthToken: [] }],
    responses: {
      200: answer('VisionOk', 'Done, per image: see each object’s status.', json('VisionOk')),
      400: answer(
        'VisionError400',
        '`wrong space param : …`, `could not get image by name <name>: http: no such file`, `empty image`, `no person_id has been provided`, meta missing or not JSON, too many or too large images.',
        visionError,
      ),
      401: answer(
        'VisionError401',
        'oauth_token missing, malformed, forged, expired or revoked; an unknown oauth_provider; a disabled client.',
        visionError,
      ),
      500: answer('VisionError500', 'Internal error.', visionError),
    },
  },
};

export const isDocumentedDialect = (name: string): name is DialectName => Object.hasOwn(DIALECTS, name);

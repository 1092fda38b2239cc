import type * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import { invalidInput } from '../core/errors.ts';
import { checkDeclaredLength, readBody } from './body-stream.ts';
import { parseForm, queryOf, type FileLimits, type UploadedFile } from './form.ts';
import { readJsonObject } from './json-body.ts';
import { httpHandler, type ErrorRenderer, type HttpEvent, type HttpHandler, type HttpResult } from './http-handler.ts';

/**
 * What a route takes, each part a zod schema: path parameters, query, and a body in one of three
 * forms: a JSON object; form fields (multipart, urlencoded or JSON, merged over the query, as the
 * storage and ost dialects accept them) with file parts within per-route limits; or the dialect's
 * own body format (ci's `<Request>` in XML or JSON), read by the dialect.
 */
export interface RouteInputs<Path, Query, Body> {
  readonly path?: z.ZodMiniType<Path>;
  readonly query?: z.ZodMiniType<Query>;
  readonly body?:
    | { readonly json: z.ZodMiniType<Body> }
    | { readonly form: z.ZodMiniType<Body>; readonly files?: FileLimits }
    | { readonly request: z.ZodMiniType<Body> };
}

export interface RouteDeclaration<Path, Query, Body> extends RouteInputs<Path, Query, Body> {
  /** One line for the OpenAPI document. */
  readonly summary: string;
  /**
   * Work worth doing once per container before the first request (loading models): the Lambda and
   * container entries (infra/group-entries.ts) run it at init. Never needed for correctness, so
   * importing the module (synth, the API document, tests) costs nothing.
   */
  readonly warmUp?: () => Promise<void>;
}

export interface RouteRequest<Caller, Path, Query, Body> {
  readonly event: HttpEvent;
  /** Who is calling, as the dialect authenticated them. */
  readonly client: Caller;
  readonly path: Path;
  readonly query: Query;
  readonly body: Body;
  readonly files: Readonly<Record<string, UploadedFile>>;
}

/** The request as read, before the route's schemas check it. */
export interface RawInput {
  readonly path: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string | readonly string[]>>;
  readonly body: unknown;
  readonly files: Readonly<Record<string, UploadedFile>>;
}

/**
 * How a dialect knows who is calling, and when in the request it can tell: from the request
 * alone (signed headers), once the body is read (a secret among the fields), or once the fields
 * are checked (a signature naming a field's value).
 */
export type Authenticator<Caller> =
  | { readonly after: 'request'; readonly check: (event: HttpEvent) => Promise<Caller> }
  | { readonly after: 'read'; readonly check: (event: HttpEvent, raw: RawInput) => Promise<Caller> }
  | { readonly after: 'validation'; readonly check: (event: HttpEvent, body: unknown) => Promise<Caller> };

export interface DialectDeclaration<Caller = Client> {
  readonly name: string;
  /** Absent for the routes anyone may call (health, the API document). */
  readonly authenticate?: Authenticator<Caller>;
  /** The dialect's error envelope, for every failure of every route. */
  readonly renderError: ErrorRenderer;
  /** Reads the dialect's own body format, for routes that declare `request`. */
  readonly readRequest?: (event: HttpEvent) => unknown;
  /** A query key sent more than once: its last value (default), or all of them as an array. */
  readonly repeatedQuery?: 'last' | 'array';
  /** A validation failure, worded the dialect's way (default: the first issue's message). */
  readonly validationError?: (issue: z.core.$ZodIssue) => Error;
  /** The header every answer names its request in, where the original API sends one. */
  readonly requestIdHeader?: string;
}

/** What a route module exports: the Lambda handler, and the declaration the API document is made from. */
export interface Route {
  readonly handler: HttpHandler;
  readonly declaration: RouteDeclaration<unknown, unknown, unknown>;
  readonly dialect: DialectDeclaration<unknown>;
}

export interface Dialect<Caller> extends DialectDeclaration<Caller> {
  route<Path = Record<string, never>, Query = Record<string, never>, Body = undefined>(
    declaration: RouteDeclaration<Path, Query, Body>,
    handle: (request: RouteRequest<Caller, Path, Query, Body>) => Promise<HttpResult>,
  ): Route;
}

/** The query with a repeated key's values as an array, in the order sent (`a=1&a=2` → `{a: ['1', '2']}`). */
function queryWithRepeats(event: HttpEvent): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) {
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

const bodySchema = <Body>(body: RouteInputs<unknown, unknown, Body>['body']) =>
  !body ? undefined : 'json' in body ? body.json : 'form' in body ? body.form : body.request;

async function readInput(
  event: HttpEvent,
  declaration: RouteInputs<unknown, unknown, unknown>,
  dialect: DialectDeclaration<unknown>,
): Promise<RawInput> {
  const query = dialect.repeatedQuery === 'array' ? queryWithRepeats(event) : queryOf(event);
  const base = { path: (event.pathParameters ?? {}) as Record<string, string>, query, files: {} };
  const body = declaration.body;
  if (!body) return { ...base, body: undefined };
  if ('json' in body) return { ...base, body: readJsonObject(await readBody(event)) };
  if ('form' in body) {
    const form = await parseForm(event, body.files);
    return { ...base, body: form.fields, files: form.files };
  }
  if (!dialect.readRequest) throw new Error(`dialect ${dialect.name} declares no reader for its request bodies`);
  return { ...base, body: dialect.readRequest(event) };
}

function checkFiles(body: RouteInputs<unknown, unknown, unknown>['body'], files: RawInput['files']): void {
  const missing = body && 'form' in body ? body.files?.required?.find((name) => !files[name]) : undefined;
  if (missing) throw invalidInput(`${missing} is required, as a file part`);
}

const firstIssue = (issue: z.core.$ZodIssue) => invalidInput(issue.message);

function check<T>(schema: z.ZodMiniType<T> | undefined, value: unknown, dialect: DialectDeclaration<unknown>): T {
  if (!schema) return value as T;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw (dialect.validationError ?? firstIssue)(parsed.error.issues[0]!);
}

/**
 * Declares a dialect once (its auth, its error envelope, its body format); each of its routes
 * then declares only its inputs and what it does with them. The request runs: read the inputs,
 * authenticate (at the point the dialect needs), check every input against its schema, handle;
 * any failure is answered in the dialect's envelope.
 */
export function defineDialect<Caller = Client>(declaration: DialectDeclaration<Caller>): Dialect<Caller> {
  return {
    ...declaration,
    route(routeDeclaration, handle) {
      const auth = declaration.authenticate;
      const inputs = routeDeclaration as RouteInputs<unknown, unknown, unknown>;
      const run = async (event: HttpEvent) => {
        checkDeclaredLength(event);
        let client = auth?.after === 'request' ? await auth.check(event) : undefined;
        const raw = await readInput(event, inputs, declaration);
        if (auth?.after === 'read') client = await auth.check(event, raw);
        const query = check(routeDeclaration.query, raw.query, declaration);
        const path = check(routeDeclaration.path, raw.path, declaration);
        const body = check(bodySchema(routeDeclaration.body), raw.body, declaration);
        checkFiles(routeDeclaration.body, raw.files);
        if (auth?.after === 'validation') client = await auth.check(event, body);
        return handle({ event, client: client as Caller, path, query, body, files: raw.files });
      };
      return {
        handler: httpHandler(run, declaration.renderError, {
          ...(declaration.requestIdHeader ? { requestIdHeader: declaration.requestIdHeader } : {}),
        }),
        declaration: inputs as RouteDeclaration<unknown, unknown, unknown>,
        dialect: declaration as DialectDeclaration<unknown>,
      };
    },
  };
}

import type * as z from 'zod/mini';
import type { FileLimits } from '../../http/form.ts';
import type { Route as RouteModule } from '../../http/kit.ts';
import type { Route as RouteRow } from '../../routes.ts';
import type { DialectDocumentation } from './dialects.ts';
import { inputSchema, propertiesOf, withProperties, type JsonSchema } from './json-schema.ts';

type Json = { readonly [key: string]: unknown };
type Body = NonNullable<RouteModule['declaration']['body']>;

/**
 * Body schemas in `components.schemas`, each named once, so that the content types of one body
 * (and routes sharing a schema, as GET/POST pairs do) refer to it instead of repeating it.
 */
export class SharedSchemas {
  readonly schemas: Record<string, JsonSchema> = {};
  readonly #names = new Map<z.ZodMiniType, string>();

  /** A $ref to the schema as `build` makes it, named `name` the first time it is met. */
  refTo(schema: z.ZodMiniType, name: string, build: (schema: z.ZodMiniType) => JsonSchema): Json {
    let known = this.#names.get(schema);
    if (!known) {
      known = name;
      this.#names.set(schema, known);
      this.schemas[known] = build(schema);
    }
    return { $ref: `#/components/schemas/${known}` };
  }
}

/** API Gateway's greedy `{name+}` is an ordinary `{name}` in OpenAPI. */
export const openApiPath = (path: string) => path.replace(/\{([^}+]+)\+\}/g, '{$1}');
const templateNames = (path: string) => [...path.matchAll(/\{([^}+]+)\+?\}/g)].map((match) => match[1]!);

/** The route's form fields, the dialect's credential field among them as required. */
function formFields(form: z.ZodMiniType, dialect: DialectDocumentation): JsonSchema {
  const fields = inputSchema(form);
  const credential = dialect.credentialField;
  return credential
    ? withProperties(fields, { [credential]: { type: 'string', description: "The client's secret." } }, [credential])
    : fields;
}

const queryParameter = (property: { name: string; schema: JsonSchema; required: boolean }) => ({
  name: property.name,
  in: 'query',
  ...(property.required ? { required: true } : {}),
  schema: property.schema,
});

function parametersOf(
  row: RouteRow,
  body: Body | undefined,
  declaration: RouteModule['declaration'],
  dialect: DialectDocumentation,
): Json[] {
  const declared = declaration.path ? propertiesOf(inputSchema(declaration.path)) : [];
  // Every name in the path template is a parameter, schema or not; path parameters are always required.
  const path = templateNames(row.path).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: declared.find((property) => property.name === name)?.schema ?? { type: 'string' },
  }));
  const query = declaration.query ? propertiesOf(inputSchema(declaration.query)) : [];
  // A GET's form fields arrive in the query string.
  const fields = row.method === 'GET' && body && 'form' in body ? propertiesOf(formFields(body.form, dialect)) : [];
  return [...path, ...[...query, ...fields].map(queryParameter)];
}

const bytes = (limit: number) => (Number.isFinite(limit) ? `at most ${limit} bytes` : 'of any size the request can carry');

function formBody(
  body: { form: z.ZodMiniType; files?: FileLimits },
  dialect: DialectDocumentation,
  names: ComponentNames,
  shared: SharedSchemas,
): Json {
  const fields = shared.refTo(body.form, names.fields, (form) => formFields(form, dialect));
  const required = body.files?.required ?? [];
  const fileParts = Object.fromEntries(
    required.map((name) => [name, { type: 'string', contentMediaType: 'application/octet-stream', description: 'A file part.' }]),
  );
  const withFiles = required.length ? { allOf: [fields, { type: 'object', properties: fileParts, required }] } : fields;
  const multipart = { 'multipart/form-data': { schema: withFiles } };
  const limits = body.files;
  const files = limits?.maxCount
    ? ` multipart/form-data may carry at most ${limits.maxCount} file part${limits.maxCount === 1 ? '' : 's'}, each ${bytes(limits.maxBytes)}.`
    : '';
  const where = dialect.formFields ?? 'Form fields; any of them may come in the query string instead (the body wins).';
  return {
    description: `${where}${files}${required.length ? '' : ' In JSON, numbers and booleans are read as their text.'}`,
    // A route that needs a file part needs a multipart body; otherwise every field could come in the query.
    ...(required.length
      ? { required: true, content: multipart }
      : { content: { ...multipart, 'application/x-www-form-urlencoded': { schema: fields }, 'application/json': { schema: fields } } }),
  };
}

/** ci's `<Request>`: the XML root element, or the same structure in JSON. */
function dialectRequestBody(schema: z.ZodMiniType, name: string, shared: SharedSchemas): Json {
  const request = shared.refTo(schema, name, (request) => ({ ...inputSchema(request), xml: { name: 'Request' } }));
  return {
    description:
      'A `<Request>` element in XML, or the same structure in JSON (answered in JSON), where the `Request` wrapper may be left out.',
    required: true,
    content: {
      'application/xml': { schema: request },
      'application/json': { schema: { type: 'object', properties: { Request: request }, required: ['Request'] } },
    },
  };
}

function requestBodyOf(
  row: RouteRow,
  body: Body | undefined,
  dialect: DialectDocumentation,
  names: ComponentNames,
  shared: SharedSchemas,
): Json | undefined {
  if (!body) return undefined;
  if ('json' in body) return { required: true, content: { 'application/json': { schema: inputSchema(body.json) } } };
  if ('request' in body) return dialectRequestBody(body.request, names.request, shared);
  return row.method === 'GET' ? undefined : formBody(body, dialect, names, shared);
}

/** What a body schema first met in this route is called in `components.schemas`. */
export interface ComponentNames {
  readonly fields: string;
  readonly request: string;
}

export interface OperationInput {
  readonly row: RouteRow;
  readonly module: RouteModule;
  readonly dialect: DialectDocumentation;
  readonly operationId: string;
  readonly names: ComponentNames;
}

/** One route's OpenAPI operation: its inputs from the route's schemas, its answers from its dialect's. */
export function operationOf({ row, module, dialect, operationId, names }: OperationInput, shared: SharedSchemas): Json {
  const declaration = module.declaration;
  const parameters = parametersOf(row, declaration.body, declaration, dialect);
  const requestBody = requestBodyOf(row, declaration.body, dialect, names, shared);
  return {
    tags: [row.dialect],
    summary: declaration.summary,
    operationId,
    security: dialect.security,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: Object.fromEntries(
      Object.entries(dialect.responses).map(([status, { name }]) => [status, { $ref: `#/components/responses/${name}` }]),
    ),
  };
}

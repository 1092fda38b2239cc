import { basename } from 'node:path';
import packageJson from '../../../package.json' with { type: 'json' };
import type { Route as RouteModule } from '../../http/kit.ts';
import { ROUTES, type Route as RouteRow } from '../../routes.ts';
import { DIALECTS, isDocumentedDialect, type DialectName } from './dialects.ts';
import { ENVELOPE_HEADERS, ENVELOPE_SCHEMAS } from './envelopes.ts';
import { openApiPath, operationOf, SharedSchemas } from './operation.ts';

type Json = { readonly [key: string]: unknown };

const DESCRIPTION =
  'One HTTP API that speaks the wire formats of existing public APIs ("dialects"), so their clients switch by changing only the endpoint. ' +
  "Each tag is a dialect, with its own authentication and error envelope. Generated from functions/routes.ts and the routes' zod schemas " +
  '(`npm run build:openapi`); the error envelopes mirror functions/<dialect>/envelope.ts.';

/** A route's module as `storage.get-file-info`. */
const moduleName = (row: RouteRow) => `${row.dialect}.${basename(row.handler, '.ts')}`;

/** The module's name, and `.get`/`.post` after it when the module serves several routes. */
function operationIds(routes: readonly RouteRow[]): string[] {
  const uses = new Map<string, number>();
  for (const row of routes) uses.set(moduleName(row), (uses.get(moduleName(row)) ?? 0) + 1);
  return routes.map((row) => (uses.get(moduleName(row))! > 1 ? `${moduleName(row)}.${row.method.toLowerCase()}` : moduleName(row)));
}

/** `ci.create-job` → `CiCreateJobRequest`, `storage.upload` → `StorageUploadFields`. */
function componentNames(row: RouteRow) {
  const base = moduleName(row)
    .split(/[.-]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
  return { fields: `${base}Fields`, request: `${base}Request` };
}

async function routeModule(row: RouteRow): Promise<RouteModule> {
  const { route } = (await import(new URL(`../../${row.handler}`, import.meta.url).href)) as { route?: RouteModule };
  if (!route?.declaration) throw new Error(`${row.handler} exports no \`route\` declared with its dialect's kit`);
  if (route.dialect.name !== row.dialect)
    throw new Error(`${row.handler} is a ${route.dialect.name} route; functions/routes.ts says ${row.dialect}`);
  return route;
}

/**
 * The OpenAPI 3.1 document of every route in the table, built from what each route module
 * declares. It imports every route module, so it runs at build time (`npm run build:openapi`),
 * never in a Lambda. Keys come in a fixed order and nothing depends on the clock, so the same
 * code always gives the same document.
 */
export async function buildApiDocument(routes: readonly RouteRow[] = ROUTES): Promise<Json> {
  const shared = new SharedSchemas();
  const paths: Record<string, Record<string, Json>> = {};
  const tags: DialectName[] = [];
  const ids = operationIds(routes);
  for (const [index, row] of routes.entries()) {
    if (!isDocumentedDialect(row.dialect))
      throw new Error(`dialect ${row.dialect} has no entry in functions/platform/api-document/dialects.ts`);
    if (!tags.includes(row.dialect)) tags.push(row.dialect);
    const operation = operationOf(
      { row, module: await routeModule(row), dialect: DIALECTS[row.dialect], operationId: ids[index]!, names: componentNames(row) },
      shared,
    );
    (paths[openApiPath(row.path)] ??= {})[row.method.toLowerCase()] = operation;
  }
  const dialects = Object.values(DIALECTS);
  return {
    openapi: '3.1.1',
    info: { title: 'Tessera', version: packageJson.version, description: DESCRIPTION },
    servers: [{ url: '/' }],
    tags: tags.map((name) => ({ name, description: DIALECTS[name].description })),
    paths,
    components: {
      schemas: { ...ENVELOPE_SCHEMAS, ...shared.schemas },
      responses: Object.fromEntries(
        dialects.flatMap((dialect) => Object.values(dialect.responses).map(({ name, response }) => [name, response])),
      ),
      headers: ENVELOPE_HEADERS,
      securitySchemes: Object.assign({}, ...dialects.map((dialect) => dialect.securitySchemes)) as Json,
    },
  };
}

/** The document as docs/openapi.json holds it: two-space indents and a final newline. */
export const apiDocumentText = async (routes: readonly RouteRow[] = ROUTES) =>
  `${JSON.stringify(await buildApiDocument(routes), null, 2)}\n`;

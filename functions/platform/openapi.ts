// Built by `npm run build:openapi` from every route module; imported as data so this Lambda
// bundles one JSON file instead of every route module the generator needs.
import document from '../../docs/openapi.json' with { type: 'json' };
import { platformDialect } from './dialect.ts';

const BODY = JSON.stringify(document);

/** GET /openapi.json: the OpenAPI 3.1 document of every route (docs/openapi.json, which a test keeps current). */
export const route = platformDialect.route({ summary: "This API's OpenAPI 3.1 document" }, async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: BODY,
}));

export const handler = route.handler;

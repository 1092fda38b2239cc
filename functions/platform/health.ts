import { jsonResult } from '../http/http-handler.ts';
import { platformDialect } from './dialect.ts';

/** GET /health: the API answers. */
export const route = platformDialect.route({ summary: 'Whether the API answers' }, async () =>
  jsonResult(200, { status: 'ok', service: 'tessera' }),
);

export const handler = route.handler;

import { httpHandler, jsonResult } from '../http/http-handler.ts';

export const handler = httpHandler(
  async () => jsonResult(200, { status: 'ok', service: 'tessera' }),
  () => jsonResult(500, { status: 'error' }),
);

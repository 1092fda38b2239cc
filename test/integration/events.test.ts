import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpHandler } from '../../functions/http/http-handler.ts';
import { ROUTES, routeKey } from '../../functions/routes.ts';
import { dispatchByRouteKey } from '../../functions/http/dispatch.ts';
import { useLocalStack } from '../support/local-stack.ts';

useLocalStack({ demo: { secret: 'events-demo-secret', namespace: 'demo' } });

const EVENTS_DIR = new URL('../../events/', import.meta.url);
const eventFiles = readdirSync(EVENTS_DIR).filter((name) => name.endsWith('.json'));
const load = (name: string) => JSON.parse(readFileSync(new URL(name, EVENTS_DIR), 'utf8')) as HttpEvent;
// Uploads first, so the events that read the file find it.
const ordered = [...eventFiles].sort((a, b) => Number(load(b).routeKey === 'POST /upload') - Number(load(a).routeKey === 'POST /upload'));

const context = { awsRequestId: 'events-test', functionName: 'events', getRemainingTimeInMillis: () => 29_000 } as Context;

async function handlerFor(key: string): Promise<HttpHandler> {
  const handlers: Record<string, HttpHandler> = {};
  for (const route of ROUTES.filter((entry) => routeKey(entry) === key)) {
    handlers[key] = ((await import(`../../functions/${route.handler}`)) as { handler: HttpHandler }).handler;
  }
  return dispatchByRouteKey(handlers);
}

describe('events/', () => {
  it('has a sample event for every route', () => {
    const covered = new Set(eventFiles.map((name) => load(name).routeKey));
    for (const route of ROUTES) assert.ok(covered.has(routeKey(route)), `no sample event for ${routeKey(route)}`);
  });

  for (const name of ordered) {
    it(`${name} is a valid event its route's handler accepts`, async () => {
      const event = load(name);
      assert.equal(event.version, '2.0');
      assert.equal(event.requestContext.routeKey, event.routeKey);
      const result = await (await handlerFor(event.routeKey))(event, context);
      assert.equal(result.statusCode, 200, result.body);
      const body = JSON.parse(result.body ?? '{}') as { msg_code?: number; status?: string };
      assert.ok(body.msg_code === 1 || body.status === 'ok', result.body);
    });
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../functions/http/http-handler.ts';
import { handler } from '../../functions/platform/openapi.ts';
import { API_DOCUMENT } from '../../scripts/build-openapi.ts';
import { useLocalStack } from '../support/local-stack.ts';

const stack = useLocalStack({ worker: false });
const committed: unknown = JSON.parse(readFileSync(API_DOCUMENT, 'utf8'));

describe('GET /openapi.json', () => {
  it('answers 200 with docs/openapi.json, through the local API', async () => {
    const response = await fetch(`${stack.current.url}/openapi.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json\b/);
    assert.deepEqual(await response.json(), committed);
  });

  it('answers its sample event (events/platform.openapi.json) the same way', async () => {
    const event = JSON.parse(readFileSync(new URL('../../events/platform.openapi.json', import.meta.url), 'utf8')) as HttpEvent;
    assert.equal(event.routeKey, 'GET /openapi.json');
    const context = { awsRequestId: 'openapi-test', functionName: 'platform', getRemainingTimeInMillis: () => 29_000 } as Context;
    const result = await handler(event, context);
    assert.equal(result.statusCode, 200);
    assert.match(String(result.headers?.['content-type']), /^application\/json\b/);
    assert.deepEqual(JSON.parse(result.body ?? ''), committed);
  });
});

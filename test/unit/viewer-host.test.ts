import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { viewerHeaders } from '../../functions/http/viewer-host.ts';

const event = (headers: Record<string, string>) => ({ headers }) as unknown as APIGatewayProxyEventV2;

describe('viewerHeaders', () => {
  it("puts back the viewer's host that the edge forwarded, when it is one of the API's own", () => {
    const headers = viewerHeaders(event({ host: 'abc.execute-api.aws', 'x-forwarded-host': 'D111.cloudfront.net' }), [
      'd111.cloudfront.net',
    ]);
    assert.equal(headers.host, 'd111.cloudfront.net');
  });

  it('ignores a forwarded host that is not the API’s, so no signature is checked against a host a caller chose', () => {
    const sent = { host: 'abc.execute-api.aws', 'x-forwarded-host': 'evil.example' };
    assert.deepEqual(viewerHeaders(event(sent), ['d111.cloudfront.net']), sent);
    assert.deepEqual(viewerHeaders(event(sent), []), sent);
  });
});

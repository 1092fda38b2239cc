import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/**
 * The headers as the client sent them, for checking a signature over its Host. Behind CloudFront
 * the Lambda routes see API Gateway's own host; the edge function passes the viewer's in
 * x-forwarded-host, which counts only when it names one of the API's own hostnames
 * (TESSERA_API_HOSTS), so nobody can have a signature checked against a host of their choosing.
 */
export function viewerHeaders(event: APIGatewayProxyEventV2, apiHosts: readonly string[]): APIGatewayProxyEventV2['headers'] {
  const forwarded = event.headers['x-forwarded-host']?.toLowerCase();
  return forwarded && apiHosts.includes(forwarded) ? { ...event.headers, host: forwarded } : event.headers;
}

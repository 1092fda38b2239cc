import { formatSdkDate, signHuawei } from '../../functions/core/huawei-signature.ts';

export interface KmpAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  /** The X-Request-Id header, which the SDKs read into their exceptions. */
  readonly requestId?: string | null;
}

/**
 * A client of the kmp dialect that sends what Huawei's Python SDK core sends (reference/kmp.md
 * §6–7): `Content-Type: application/json` on every request (GET included), `X-Project-Id`,
 * `X-Sdk-Date`, a `User-Agent`, all signed with SDK-HMAC-SHA256; arrays as repeated query keys in
 * sorted order; DELETE and actions with a JSON body (`{}` when there is nothing to say). With a
 * token it sends `X-Auth-Token` instead of signing.
 */
export class KmpClient {
  constructor(
    readonly endpoint: string,
    readonly credentials: { readonly accessKey: string; readonly secretKey: string } | { readonly token: string },
  ) {}

  async request<T = unknown>(
    method: string,
    path: string,
    options: { query?: Record<string, string | number | boolean | readonly string[]>; body?: unknown; date?: Date } = {},
  ): Promise<KmpAnswer<T>> {
    const pairs: Array<[string, string]> = [];
    for (const [name, value] of Object.entries(options.query ?? {})) {
      for (const item of Array.isArray(value) ? [...value].sort() : [value]) pairs.push([name, String(item)]);
    }
    const query = pairs
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`)
      .join('&');
    const body = options.body === undefined ? (method === 'GET' ? '' : '{}') : JSON.stringify(options.body);
    const url = new URL(`${path}${query ? `?${query}` : ''}`, this.endpoint);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      host: url.host,
      'user-agent': 'huaweicloud-usdk-python/3.0; tessera-test',
      'x-project-id': '0123456789abcdef0123456789abcdef',
      'x-sdk-date': formatSdkDate((options.date ?? new Date()).getTime()),
    };
    if ('token' in this.credentials) {
      headers['x-auth-token'] = this.credentials.token;
    } else {
      headers.authorization = signHuawei(
        { method, path: url.pathname, query, headers, body: Buffer.from(body) },
        this.credentials.accessKey,
        this.credentials.secretKey,
      );
    }
    const { host: _host, ...sent } = headers;
    const response = await fetch(url, { method, headers: sent, ...(body ? { body } : {}) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, requestId: response.headers.get('x-request-id') };
  }
}

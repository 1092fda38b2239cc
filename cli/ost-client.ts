import { createHash } from 'node:crypto';
import { sign } from '../functions/core/xfyun-signature.ts';

export interface OstCredentials {
  readonly endpoint: string;
  readonly appId: string;
  readonly secret: string;
}

export interface OstAnswer<T = unknown> {
  readonly status: number;
  readonly code: number;
  readonly sid: string;
  readonly message: string;
  readonly data?: T;
}

export class OstError extends Error {
  constructor(readonly answer: OstAnswer) {
    super(`${answer.code}: ${answer.message}`);
    this.name = 'OstError';
  }
}

/** The headers xfyun's upload host expects: host, date, digest, and the HMAC-SHA256 authorization. */
export interface XfyunHeaders {
  readonly host: string;
  readonly date: string;
  readonly digest: string;
  readonly authorization: string;
  readonly [name: string]: string;
}

export function signedHeaders(credentials: OstCredentials, path: string, body: Buffer, date = new Date()): XfyunHeaders {
  const url = new URL(credentials.endpoint);
  const headers = {
    host: url.host,
    date: date.toUTCString(),
    digest: `SHA-256=${createHash('sha256').update(body).digest('base64')}`,
  };
  const origin = `host: ${headers.host}\ndate: ${headers.date}\nPOST ${path} HTTP/1.1\ndigest: ${headers.digest}`;
  const signature = sign(origin, credentials.secret);
  return {
    ...headers,
    authorization: `api_key="${credentials.appId}", algorithm="hmac-sha256", headers="host date request-line digest", signature="${signature}"`,
  };
}

/** A small client of the ost dialect, as the xfyun demos call it; used by the CLI uploader and tests. */
export class OstClient {
  constructor(readonly credentials: OstCredentials) {}

  async post<T>(path: string, body: Buffer, contentType: string): Promise<OstAnswer<T>> {
    const response = await fetch(new URL(path, this.credentials.endpoint), {
      method: 'POST',
      headers: { ...signedHeaders(this.credentials, path, body), 'content-type': contentType },
      body,
    });
    const text = await response.text();
    let parsed: Omit<OstAnswer<T>, 'status'>;
    try {
      parsed = JSON.parse(text) as Omit<OstAnswer<T>, 'status'>;
    } catch {
      parsed = { code: -1, sid: '', message: text.slice(0, 200) };
    }
    return { status: response.status, ...parsed };
  }

  json<T>(path: string, fields: Record<string, unknown>): Promise<OstAnswer<T>> {
    const body = { app_id: this.credentials.appId, request_id: requestId(), ...fields };
    return this.post<T>(path, Buffer.from(JSON.stringify(body)), 'application/json');
  }

  async multipart<T>(path: string, fields: Record<string, string>, file: { name: string; data: Buffer }): Promise<OstAnswer<T>> {
    const form = new FormData();
    for (const [name, value] of Object.entries({ app_id: this.credentials.appId, request_id: requestId(), ...fields }))
      form.append(name, value);
    form.append(file.name, new Blob([file.data]), file.name === 'data' ? 'slice' : file.name);
    const request = new Request('http://local/', { method: 'POST', body: form });
    const body = Buffer.from(await request.arrayBuffer());
    return this.post<T>(path, body, request.headers.get('content-type')!);
  }

  /** The call, or an OstError carrying the answer when the code is not 0. */
  static ok<T>(answer: OstAnswer<T>): OstAnswer<T> {
    if (answer.code !== 0) throw new OstError(answer);
    return answer;
  }
}

const requestId = () => new Date().toISOString().replace(/\D/g, '').slice(0, 12);

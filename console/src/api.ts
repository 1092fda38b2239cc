import { consoleConfig } from './config.ts';
import { refresh, session, signOut } from './session.ts';

/** A refusal in any dialect's envelope, as one message. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

interface Envelope {
  error_code?: string;
  error_msg?: string;
  msg_code?: number;
  message?: unknown;
  code?: number;
  Error?: { Code?: string; Message?: string };
  error?: string;
  error_description?: string;
}

/** kmp `{error_code, error_msg}`, storage `{message, msg_code: 0}`, ost `{code, message}`, ci `{Error}`, auth `{error}`. */
function refusal(status: number, body: Envelope): ApiError | undefined {
  if (body.error_code) return new ApiError(body.error_msg ?? body.error_code, status, body.error_code);
  if (body.msg_code === 0) return new ApiError(String(body.message), status);
  if (typeof body.code === 'number' && body.code !== 0) return new ApiError(String(body.message), status, String(body.code));
  if (body.Error) return new ApiError(body.Error.Message ?? body.Error.Code ?? 'refused', status, body.Error.Code);
  if (body.error) return new ApiError(body.error_description ?? body.error, status, body.error);
  if (status >= 400) return new ApiError(`the API answered ${status}`, status);
  return undefined;
}

export interface Call {
  readonly method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly query?: Record<string, string | number | readonly string[] | undefined>;
  readonly json?: unknown;
  readonly form?: Record<string, string>;
  readonly accept?: string;
}

/** Calls the API with the session's token (X-Auth-Token, which every dialect the console uses takes). */
export async function api<T>(path: string, call: Call = {}, retried = false): Promise<T> {
  const { apiUrl } = await consoleConfig();
  const current = session();
  if (!current) throw new ApiError('not signed in', 401);
  const url = new URL(apiUrl + path);
  for (const [name, value] of Object.entries(call.query ?? {})) {
    if (value === undefined || value === '') continue;
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
  }
  const headers: Record<string, string> = { 'x-auth-token': current.accessToken };
  if (call.accept) headers.accept = call.accept;
  let body: BodyInit | undefined;
  if (call.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(call.json);
  } else if (call.form) {
    body = new URLSearchParams(call.form);
  }
  const response = await fetch(url, { method: call.method ?? (body ? 'POST' : 'GET'), headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.status === 401 && !retried) {
    // The token expired or was revoked under us: one refresh, then the call again.
    try {
      await refresh();
    } catch {
      signOut();
      throw new ApiError('your session has ended; sign in again', 401);
    }
    return api<T>(path, call, true);
  }
  const problem = refusal(response.status, (parsed ?? {}) as Envelope);
  if (problem) throw problem;
  return parsed as T;
}

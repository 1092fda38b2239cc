import { consoleConfig } from './config.ts';

/**
 * The signed-in client: an access token and its refresh token, in sessionStorage (gone with the
 * tab). The secret is sent once, to the token endpoint, and kept nowhere.
 */
export interface Session {
  readonly clientId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Epoch ms. */
  readonly expiresAt: number;
}

const KEY = 'tessera.session';
/** Refresh this long before the token expires. */
const REFRESH_MARGIN_MS = 5 * 60_000;

let current: Session | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<(session: Session | undefined) => void>();

interface TokenAnswer {
  access_token?: string;
  refresh_token?: string;
  expires_in?: number;
  error?: string;
  error_description?: string;
}

async function token(body: Record<string, string>): Promise<TokenAnswer> {
  const { apiUrl } = await consoleConfig();
  const response = await fetch(`${apiUrl}/auth/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as TokenAnswer;
  if (!response.ok || !answer.access_token) {
    throw new Error(answer.error_description ?? answer.error ?? `the token endpoint answered ${response.status}`);
  }
  return answer;
}

function keep(clientId: string, answer: TokenAnswer): Session {
  const session: Session = {
    clientId,
    accessToken: answer.access_token!,
    refreshToken: answer.refresh_token ?? '',
    expiresAt: Date.now() + (answer.expires_in ?? 3600) * 1000,
  };
  set(session);
  return session;
}

function set(session: Session | undefined): void {
  current = session;
  clearTimeout(timer);
  if (session) {
    sessionStorage.setItem(KEY, JSON.stringify(session));
    const due = Math.max(5_000, session.expiresAt - REFRESH_MARGIN_MS - Date.now());
    timer = setTimeout(() => void refresh().catch(() => signOut()), due);
  } else {
    sessionStorage.removeItem(KEY);
  }
  for (const listener of listeners) listener(session);
}

export const onSessionChange = (listener: (session: Session | undefined) => void): void => void listeners.add(listener);

/** Client id + secret → a token; the secret goes no further than this call. */
export async function signIn(clientId: string, secret: string): Promise<Session> {
  return keep(clientId, await token({ grant_type: 'client_credentials', client_id: clientId, client_secret: secret }));
}

/** A new access token from the refresh token (which is rotated on each use). */
export async function refresh(): Promise<Session> {
  const session = current;
  if (!session?.refreshToken) throw new Error('not signed in');
  return keep(
    session.clientId,
    await token({ grant_type: 'refresh_token', client_id: session.clientId, refresh_token: session.refreshToken }),
  );
}

export function signOut(): void {
  set(undefined);
}

/** The session of this tab, restored after a reload; an expired one is refreshed or dropped. */
export async function restore(): Promise<Session | undefined> {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return undefined;
  try {
    const saved = JSON.parse(raw) as Session;
    current = saved;
    if (saved.expiresAt - REFRESH_MARGIN_MS <= Date.now()) return await refresh();
    set(saved);
    return saved;
  } catch {
    set(undefined);
    return undefined;
  }
}

export const session = (): Session | undefined => current;

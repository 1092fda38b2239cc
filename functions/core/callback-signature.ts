import { createHmac } from 'node:crypto';

/**
 * Callbacks are signed with a key derived from the client's secret, so a client can compute it
 * and nothing more needs storing: key = base64url(HMAC-SHA256(secret, "tessera-callback-v1")).
 * The signature covers the timestamp and the exact body: hex(HMAC-SHA256(key, `${timestamp}.${body}`)).
 */
export const CALLBACK_HEADERS = { timestamp: 'x-tessera-timestamp', signature: 'x-tessera-signature' } as const;

export const callbackKey = (clientSecret: string) => createHmac('sha256', clientSecret).update('tessera-callback-v1').digest('base64url');

export const signCallback = (key: string, timestamp: number, body: string) =>
  `v1=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;

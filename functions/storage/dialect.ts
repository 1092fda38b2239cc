import { unauthenticated } from '../core/errors.ts';
import { defineDialect } from '../http/kit.ts';
import { clientAuth } from '../services/client-auth.ts';
import { storageError } from './envelope.ts';

/**
 * The storage dialect (seed 000): form fields (multipart, urlencoded or JSON), a client known by
 * its `secret_key` field alone, answers `{message, msg_code}`. Tessera's extension: an
 * `X-Auth-Token` header (an access token, docs/auth.md) instead of `secret_key`, for callers that
 * must not hold the secret (the web console).
 */
export const storageDialect = defineDialect({
  name: 'storage',
  authenticate: {
    after: 'read',
    async check(event, raw) {
      const token = event.headers['x-auth-token'];
      if (token) return clientAuth.byAccessToken(token);
      const secret = (raw.body as Readonly<Record<string, string>> | undefined)?.secret_key;
      if (!secret) throw unauthenticated('secret_key is required');
      const client = await clientAuth.bySecret(secret);
      if (!client) throw unauthenticated('secret_key is not valid');
      return clientAuth.requireActive(client);
    },
  },
  renderError: storageError,
});

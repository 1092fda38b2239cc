import { unauthenticated } from '../core/errors.ts';
import { defineDialect } from '../http/kit.ts';
import { clientAuth } from '../services/client-auth.ts';
import { storageError } from './envelope.ts';

/**
 * The storage dialect (seed 000): form fields (multipart, urlencoded or JSON), a client known by
 * its `secret_key` field alone, answers `{message, msg_code}`.
 */
export const storageDialect = defineDialect({
  name: 'storage',
  authenticate: {
    after: 'read',
    async check(_event, raw) {
      const secret = (raw.body as Readonly<Record<string, string>> | undefined)?.secret_key;
      if (!secret) throw unauthenticated('secret_key is required');
      const client = await clientAuth.bySecret(secret);
      if (!client) throw unauthenticated('secret_key is not valid');
      return clientAuth.requireActive(client);
    },
  },
  renderError: storageError,
});

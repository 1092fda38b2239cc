import { unauthenticated } from '../core/errors.ts';
import { queryOf } from '../http/form.ts';
import { defineDialect } from '../http/kit.ts';
import { clientAuth } from '../services/client-auth.ts';
import { visionError } from './envelope.ts';

/** `mcs` is VK Cloud's; `mr` (oauth.mail.ru) is what older examples send, taken as the same. */
const PROVIDERS = new Set(['mcs', 'mr']);

/**
 * The vision dialect (seed 004, VK Cloud Vision persons): multipart with a JSON `meta` part,
 * authenticated by `oauth_token` and `oauth_provider` in the query, before the body is read.
 */
export const visionDialect = defineDialect({
  name: 'vision',
  authenticate: {
    after: 'request',
    async check(event) {
      const query = queryOf(event);
      if (!query.oauth_token) throw unauthenticated('oauth_token is required');
      if (!query.oauth_provider) throw unauthenticated('oauth_provider is required');
      if (!PROVIDERS.has(query.oauth_provider)) throw unauthenticated(`unknown oauth_provider "${query.oauth_provider}": use mcs`);
      return clientAuth.byOAuthToken(query.oauth_token);
    },
  },
  renderError: visionError,
});

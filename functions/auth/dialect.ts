import { defineDialect } from '../http/kit.ts';
import { oauthError, oauthFailure } from './envelope.ts';

/** The message of a missing grant_type; any other grant_type problem is an unsupported one. */
export const GRANT_TYPE_REQUIRED = 'grant_type is required';

/**
 * The OAuth 2.0 token endpoint's dialect (RFC 6749, in VK Cloud's shape): no authenticator, as
 * the route authenticates the client from the credentials it carries; errors as
 * `{error, error_description}`.
 */
export const authDialect = defineDialect<undefined>({
  name: 'auth',
  renderError: oauthError,
  validationError(issue) {
    if (issue.path[0] === 'grant_type' && issue.message !== GRANT_TYPE_REQUIRED) return oauthFailure.unsupportedGrantType(issue.message);
    return oauthFailure.invalidRequest(issue.message);
  },
});

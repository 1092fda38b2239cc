import { defineDialect } from '../http/kit.ts';
import { authenticateKmp } from './authenticate.ts';
import { kmpError } from './envelope.ts';

/**
 * The kmp dialect (seed 003, Huawei KooMap's task API as its Java SDK defines it): JSON bodies,
 * arrays as repeated query keys, AK/SK signatures or X-Auth-Token checked before anything else,
 * errors as `{error_code, error_msg}`.
 */
export const kmpDialect = defineDialect({
  name: 'kmp',
  authenticate: { after: 'request', check: (event) => authenticateKmp(event) },
  renderError: (error) => kmpError(error),
  repeatedQuery: 'array',
  // Huawei's SDKs read it into every exception's request_id (reference/kmp.md §4).
  requestIdHeader: 'x-request-id',
});

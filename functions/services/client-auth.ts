import { isActive, type Client } from '../core/client.ts';
import { forbidden } from '../core/errors.ts';
import { clientRegistry } from '../adapters/client-registry.ts';

/**
 * How every dialect learns who is calling, whatever its wire shows: a client known by its secret
 * (storage), or by its id with its secret opened to check a signature (ost, ci). A disabled
 * client is refused here, once for all of them.
 */
export const clientAuth = {
  requireActive(client: Client): Client {
    if (!isActive(client)) throw forbidden('this client is disabled');
    return client;
  },

  /** The client a secret belongs to, or undefined. */
  bySecret: (secret: string): Promise<Client | undefined> => clientRegistry.findBySecret(secret),

  /** The client and its secret in the clear, to check the HMAC a request carries, or undefined. */
  forSignature: (clientId: string): Promise<{ client: Client; secret: string } | undefined> => clientRegistry.withSecret(clientId),
};

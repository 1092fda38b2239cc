import { isInsideNamespace } from './object-name.ts';

/** A tenant of Tessera. Its secret never appears here: only a lookup hash and a sealed copy. */
export interface Client {
  readonly clientId: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  readonly namespaces: readonly string[];
  /** Owned namespaces whose panorama sets are served publicly (CloudFront in AWS, the file server locally). */
  readonly publicNamespaces?: readonly string[];
  readonly workspaces: readonly string[];
  /** COS bucket names this client's ci requests use, each mapped onto one of its namespaces. */
  readonly cosBuckets?: readonly CosBucket[];
  /** The client's ci pic queue: Paused holds queued jobs as Pause until it is Active again. */
  readonly picQueue?: PicQueue;
  readonly createdAt: string;
  readonly secretVersion: number;
}

export interface CosBucket {
  readonly bucket: string;
  readonly region: string;
  readonly namespace: string;
}

export interface PicQueue {
  readonly name: string;
  readonly state: 'Active' | 'Paused';
  /** Where jobs without their own CallBack report, when On. */
  readonly notify: { readonly state: 'On' | 'Off'; readonly url?: string; readonly resultFormat: 'JSON' | 'XML' };
  readonly updatedAt: string;
}

export const isActive = (client: Client) => client.status === 'active';

/** Client ids are what signatures name (app_id, api_key, SecretId): letters, digits, "_", "-", at most 64. */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Whether a key lies in one of the client's public namespaces. */
export const isPublicKey = (client: Pick<Client, 'publicNamespaces'>, key: string) =>
  (client.publicNamespaces ?? []).some((namespace) => isInsideNamespace(key, namespace));

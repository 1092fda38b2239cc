/** A tenant of Tessera. Its secret never appears here: only a lookup hash and a sealed copy. */
export interface Client {
  readonly clientId: string;
  readonly name: string;
  readonly status: 'active' | 'disabled';
  readonly namespaces: readonly string[];
  readonly workspaces: readonly string[];
  readonly createdAt: string;
  readonly secretVersion: number;
}

export const isActive = (client: Client) => client.status === 'active';

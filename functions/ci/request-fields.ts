/** Reading fields of a parsed `<Request>` (XML or JSON), where anything may be missing or mis-typed. */
export type Node = Record<string, unknown>;

export const node = (value: unknown): Node => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Node) : {});

export const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;

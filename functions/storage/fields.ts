import type { Client } from '../core/client.ts';
import { isActive } from '../core/client.ts';
import { forbidden, invalidInput, unauthenticated } from '../core/errors.ts';
import type { ParsedForm } from '../http/form.ts';
import type { FileContent } from '../services/file-service.ts';
import { clientRegistry } from '../adapters/client-registry.ts';

export function requiredField(fields: Readonly<Record<string, string>>, name: string): string {
  const value = fields[name];
  if (value === undefined || value === '') throw invalidInput(`${name} is required`);
  return value;
}

/** `overwrite` is 0 or 1, default 0; anything else is refused rather than guessed at. */
export function overwriteFlag(fields: Readonly<Record<string, string>>): boolean {
  const value = fields.overwrite;
  if (value === undefined || value === '' || value === '0') return false;
  if (value === '1') return true;
  throw invalidInput('overwrite must be 0 or 1');
}

/** The storage dialect knows a client by its `secret_key` alone. */
export async function authenticateBySecret(fields: Readonly<Record<string, string>>): Promise<Client> {
  const secret = fields.secret_key;
  if (!secret) throw unauthenticated('secret_key is required');
  const client = await clientRegistry.findBySecret(secret);
  if (!client) throw unauthenticated('secret_key is not valid');
  if (!isActive(client)) throw forbidden('this client is disabled');
  return client;
}

/** `source` wins over `filedata` when both are sent, as in the seed. */
export function contentOf(fields: ParsedForm['fields'], files: ParsedForm['files']): FileContent {
  if (fields.source) return { kind: 'url', url: fields.source };
  const file = files.filedata;
  if (file) return { kind: 'bytes', data: file.data, contentType: file.contentType };
  if (fields.filedata !== undefined) throw invalidInput('filedata must be sent as a file part of a multipart/form-data body');
  throw invalidInput('filedata or source is required');
}

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SEAL_LOCAL_KEY_ENV } from '../functions/adapters/secret-sealer.ts';
import { BUCKET, QUEUES, TABLES } from '../functions/resources.ts';

/**
 * Where `npm start` records how to reach its emulators, for `npm run client` in another terminal.
 * It holds the local sealing key, which protects nothing but this throwaway local stack.
 */
export const LOCAL_STACK_FILE = fileURLToPath(new URL('../.tessera/local-stack.json', import.meta.url));

const LOCAL_STACK_ENV = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_REGION',
  BUCKET.envVar,
  SEAL_LOCAL_KEY_ENV,
  'TESSERA_ALLOW_LOOPBACK_URLS',
  ...Object.values(TABLES).map((table) => table.envVar),
  ...Object.values(QUEUES).map((queue) => queue.envVar),
];

export function recordLocalStack(): void {
  const entries = LOCAL_STACK_ENV.filter((name) => process.env[name]).map((name) => [name, process.env[name]]);
  mkdirSync(dirname(LOCAL_STACK_FILE), { recursive: true });
  writeFileSync(LOCAL_STACK_FILE, JSON.stringify(Object.fromEntries(entries), null, 2), { mode: 0o600 });
}

export function forgetLocalStack(): void {
  rmSync(LOCAL_STACK_FILE, { force: true });
}

/** Puts the running `npm start`'s endpoints and names into this process's environment; false if none runs. */
export function useLocalStackFile(): boolean {
  if (!existsSync(LOCAL_STACK_FILE)) return false;
  Object.assign(process.env, JSON.parse(readFileSync(LOCAL_STACK_FILE, 'utf8')) as Record<string, string>);
  return true;
}

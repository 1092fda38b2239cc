#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { OstError } from './ost-client.ts';
import { uploadFile } from './uploader.ts';

const USAGE = `Upload a big file to Tessera's ost dialect, in slices sent straight to S3.

  npx tessera-upload FILE --endpoint URL --app-id ID --secret SECRET
      [--parallel 4] [--retries 6] [--slice-size BYTES] [--state FILE] [--limit-rate MiB/s] [--quiet]

Killed or failed? Run the same command again: it resumes from FILE.tessera-upload.json.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    endpoint: { type: 'string' },
    'app-id': { type: 'string' },
    secret: { type: 'string' },
    parallel: { type: 'string', default: '4' },
    retries: { type: 'string', default: '6' },
    'slice-size': { type: 'string' },
    state: { type: 'string' },
    'limit-rate': { type: 'string' },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});

const number = (name: string, raw: string | undefined) => {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};

try {
  const [file] = positionals;
  if (values.help || !file) {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 2;
  } else {
    const { endpoint, 'app-id': appId, secret } = values;
    if (!endpoint || !appId || !secret) throw new Error('--endpoint, --app-id and --secret are required');
    const result = await uploadFile({
      file,
      endpoint,
      appId,
      secret,
      parallel: number('parallel', values.parallel),
      retries: number('retries', values.retries),
      sliceSize: number('slice-size', values['slice-size']),
      statePath: values.state,
      limitRate: number('limit-rate', values['limit-rate']),
      quiet: values.quiet,
    });
    console.log(result.url);
  }
} catch (error) {
  const message = error instanceof OstError ? `Tessera answered ${error.answer.code}: ${error.answer.message}` : (error as Error).message;
  console.error(`tessera-upload: ${message}`);
  if (error instanceof OstError && error.answer.code === 10005)
    console.error('the upload session is gone; delete the state file to start again');
  process.exitCode = 1;
}

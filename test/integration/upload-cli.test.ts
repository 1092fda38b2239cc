import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { useLocalStack } from '../support/local-stack.ts';
import { MiB, download, randomFile, sha256 } from '../support/ost.ts';

const APP = 'tcuploadcli000000001';
const SECRET = 'upload-cli-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'cli' } });
const run = promisify(execFile);
const args = (file: string, ...extra: string[]) => [
  '--import',
  'tsx',
  'cli/upload.ts',
  file,
  '--endpoint',
  stack.current.url,
  '--app-id',
  APP,
  '--secret',
  SECRET,
  ...extra,
];

const doneSlices = (statePath: string) => {
  try {
    return Object.keys(JSON.parse(readFileSync(statePath, 'utf8')).done).length;
  } catch {
    return 0;
  }
};

describe('tessera-upload', () => {
  it('resumes after being killed mid-upload and produces the exact file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-upload-'));
    const file = join(dir, 'big.bin');
    const data = randomFile(40 * MiB + 4321);
    writeFileSync(file, data);
    const statePath = `${file}.tessera-upload.json`;

    const first = spawn(process.execPath, args(file, '--parallel', '1', '--limit-rate', '8', '--quiet'), { stdio: 'ignore' });
    const exited = new Promise((resolve) => first.on('exit', resolve));
    for (let waited = 0; doneSlices(statePath) < 2; waited += 50) {
      assert.ok(waited < 60_000, 'the first run never got two slices up');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGKILL');
    await exited;
    const before = doneSlices(statePath);
    assert.ok(before >= 2 && before < 9, `killed after ${before} of 9 slices`);

    const { stdout, stderr } = await run(process.execPath, args(file), { maxBuffer: 1 << 20 });
    assert.match(stderr, new RegExp(`resuming upload up_[0-9a-f]+: ${before} slices already sent`));
    assert.equal(existsSync(statePath), false, 'the state file is removed once done');
    assert.equal(sha256(await download(stdout.trim())), sha256(data));
  });

  it('fails clearly, with a non-zero exit, when Tessera refuses it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-upload-'));
    const file = join(dir, 'small.bin');
    writeFileSync(file, 'small');
    await assert.rejects(
      run(process.execPath, [
        '--import',
        'tsx',
        'cli/upload.ts',
        file,
        '--endpoint',
        stack.current.url,
        '--app-id',
        APP,
        '--secret',
        'wrong',
        '--quiet',
      ]),
      (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.match(error.stderr, /tessera-upload: Tessera answered 10001: signature does not match/);
        return true;
      },
    );
  });
});

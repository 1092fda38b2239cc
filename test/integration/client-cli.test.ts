import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { TABLES } from '../../functions/resources.ts';
import { dynamo } from '../../functions/adapters/aws-clients.ts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { multipart, postForm, useLocalStack } from '../support/local-stack.ts';

const stack = useLocalStack();
const run = promisify(execFile);

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'cli/client.ts', ...args], { env: process.env });
  return stdout.trim();
}

const uploadWith = (secret: string, filename: string) =>
  postForm(`${stack.current.url}/upload`, { secret_key: secret, filename, filedata: { data: 'cli' } });

describe('npm run client', () => {
  it("makes, lists and revokes vision service tokens: only the token's hash is stored, and a revoked one stops at once", async () => {
    const created = JSON.parse(await cli('create', '--name', 'Seer', '--namespace', 'seer', '--json'));
    const made = JSON.parse(await cli('token', created.clientId, '--label', 'camera 1', '--json'));
    assert.match(made.token, /^tsvc_[A-Za-z0-9_-]{43}$/);
    const truncate = () =>
      fetch(`${stack.current.url}/api/v1/persons/truncate?oauth_provider=mcs&oauth_token=${made.token}`, {
        method: 'POST',
        body: multipart({ meta: '{"space":"0"}' }),
      }).then(async (response) => ({ status: response.status, body: ((await response.json()) as { body: unknown }).body }));
    assert.deepEqual(await truncate(), { status: 200, body: {} });
    const listed = JSON.parse(await cli('tokens', created.clientId, '--json')) as Array<{ tokenId: string; label: string }>;
    assert.deepEqual(
      listed.map(({ tokenId, label }) => ({ tokenId, label })),
      [{ tokenId: made.tokenId, label: 'camera 1' }],
    );
    assert.equal(JSON.stringify(listed).includes(made.token), false, 'a listing never shows the token');
    await cli('revoke-token', created.clientId, made.tokenId);
    assert.deepEqual(await truncate(), { status: 401, body: 'access token is not valid' });
    assert.deepEqual(JSON.parse(await cli('tokens', created.clientId, '--json')), []);
  });

  it('creates a client whose secret works at once and is stored only sealed and hashed', async () => {
    const created = JSON.parse(await cli('create', '--name', 'Acme', '--namespace', 'acme', '--namespace', 'acme-raw', '--json'));
    assert.match(created.clientId, /^tc[0-9a-f]{16}$/);
    assert.deepEqual(created.namespaces, ['acme', 'acme-raw']);
    assert.equal((await uploadWith(created.secret, 'acme/hello.txt')).status, 200);

    const record = await dynamo().send(
      new GetCommand({ TableName: process.env[TABLES.clients.envVar], Key: { clientId: created.clientId } }),
    );
    const stored = JSON.stringify(record.Item);
    assert.equal(stored.includes(created.secret), false, 'the raw secret must not be stored');
    assert.equal(await clientRegistry.openSecret(created.clientId), created.secret);
  });

  it('lists clients', async () => {
    const created = JSON.parse(await cli('create', '--name', 'Listed', '--namespace', 'listed', '--json'));
    const listed = JSON.parse(await cli('list', '--json')) as Array<{ clientId: string; name: string }>;
    assert.ok(listed.some((client) => client.clientId === created.clientId && client.name === 'Listed'));
    assert.ok(listed.every((client) => !('secretHash' in client) && !('sealedSecret' in client)));
  });

  it('rotates a secret: the old one stops working, the new one works', async () => {
    const created = JSON.parse(await cli('create', '--name', 'Rotor', '--namespace', 'rotor', '--json'));
    const rotated = JSON.parse(await cli('rotate', created.clientId, '--json'));
    assert.notEqual(rotated.secret, created.secret);
    assert.deepEqual((await uploadWith(created.secret, 'rotor/a.txt')).body, { message: 'secret_key is not valid', msg_code: 0 });
    assert.equal((await uploadWith(rotated.secret, 'rotor/a.txt')).status, 200);
  });

  it('disables and enables a client', async () => {
    const created = JSON.parse(await cli('create', '--name', 'Paused', '--namespace', 'paused', '--json'));
    await cli('disable', created.clientId);
    assert.deepEqual(await uploadWith(created.secret, 'paused/a.txt'), {
      status: 403,
      body: { message: 'this client is disabled', msg_code: 0 },
    });
    await cli('enable', created.clientId);
    assert.equal((await uploadWith(created.secret, 'paused/a.txt')).status, 200);
  });

  it('marks a namespace public and private again; only owned namespaces', async () => {
    const created = JSON.parse(
      await cli('create', '--name', 'Gallery', '--namespace', 'gallery', '--namespace', 'drafts', '--public', 'gallery', '--json'),
    );
    assert.deepEqual(created.publicNamespaces, ['gallery']);
    assert.deepEqual(JSON.parse(await cli('public', created.clientId, 'drafts', '--json')).publicNamespaces, ['drafts', 'gallery']);
    assert.deepEqual(JSON.parse(await cli('private', created.clientId, 'gallery', '--json')).publicNamespaces, ['drafts']);
    assert.deepEqual((await clientRegistry.get(created.clientId))?.publicNamespaces, ['drafts']);
    await assert.rejects(cli('public', created.clientId, 'someone-else'), /namespace someone-else is not one client/);
  });

  it('refuses bad commands with a message and a failing exit code', async () => {
    for (const [args, message] of [
      [['create', '--name', 'x'], 'error: create needs --name and at least one --namespace'],
      [
        ['create', '--name', 'x', '--namespace', '../etc'],
        'error: namespace "../etc" must be letters, digits, ".", "_", "-" in "/"-separated folders',
      ],
      [['rotate', 'tc0000000000000000'], 'error: no client tc0000000000000000'],
      [['frobnicate'], 'error: unknown command "frobnicate"'],
    ] as const) {
      await assert.rejects(cli(...args), (error: { code: number; stderr: string }) => {
        assert.equal(error.code, 1);
        assert.ok(error.stderr.startsWith(message), error.stderr);
        return true;
      });
    }
  });
});

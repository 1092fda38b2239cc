#!/usr/bin/env -S npx tsx
import { parseArgs } from 'node:util';
import { clientRegistry } from '../functions/adapters/client-registry.ts';
import { serviceTokens } from '../functions/adapters/service-token-store.ts';
import type { Client } from '../functions/core/client.ts';
import { isTesseraError } from '../functions/core/errors.ts';
import { connectToStack } from '../local/stack-target.ts';

const USAGE = `Manage Tessera clients (tenants).

  npm run client -- create --name NAME --namespace NS [--namespace NS…] [--workspace ID…]
                           [--cos-bucket BUCKET:REGION:NAMESPACE…] [--public NS…]
  npm run client -- list
  npm run client -- public CLIENT_ID NAMESPACE     (its panorama sets are served by CloudFront)
  npm run client -- private CLIENT_ID NAMESPACE
  npm run client -- rotate CLIENT_ID
  npm run client -- disable CLIENT_ID
  npm run client -- enable CLIENT_ID
  npm run client -- token CLIENT_ID [--label TEXT]  (a service token: vision's oauth_token that never expires)
  npm run client -- tokens CLIENT_ID
  npm run client -- revoke-token CLIENT_ID TOKEN_ID

Target: --stack NAME (a deployed stack, via its CloudFormation outputs and your AWS credentials);
otherwise the environment (TESSERA_CLIENTS_TABLE, …); otherwise the running \`npm start\`.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    name: { type: 'string' },
    namespace: { type: 'string', multiple: true },
    workspace: { type: 'string', multiple: true },
    'cos-bucket': { type: 'string', multiple: true },
    public: { type: 'string', multiple: true },
    label: { type: 'string' },
    stack: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const describe = (client: Client) =>
  `${client.clientId}  ${client.status.padEnd(8)}  ${client.name}  namespaces: ${client.namespaces.map((namespace) => (client.publicNamespaces?.includes(namespace) ? `${namespace} (public)` : namespace)).join(', ')}`;

async function run(): Promise<void> {
  const [command, clientId, argument] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return;
  }
  await connectToStack(values.stack);
  const needId = () => {
    if (!clientId) throw new Error(`${command} needs a CLIENT_ID`);
    return clientId;
  };
  switch (command) {
    case 'create': {
      if (!values.name || !values.namespace?.length) throw new Error('create needs --name and at least one --namespace');
      const { client, secret } = await clientRegistry.create({
        name: values.name,
        namespaces: values.namespace,
        workspaces: values.workspace ?? [],
        publicNamespaces: values.public ?? [],
        cosBuckets: (values['cos-bucket'] ?? []).map((entry) => {
          const [bucket, region, namespace] = entry.split(':');
          if (!bucket || !region || !namespace) throw new Error('--cos-bucket takes BUCKET:REGION:NAMESPACE');
          return { bucket, region, namespace };
        }),
      });
      if (values.json) console.log(JSON.stringify({ ...client, secret }));
      else console.log(`Created ${describe(client)}\nsecret: ${secret}\n(shown once: store it now)`);
      return;
    }
    case 'list': {
      const clients = await clientRegistry.list();
      if (values.json) console.log(JSON.stringify(clients));
      else console.log(clients.length ? clients.map(describe).join('\n') : 'no clients');
      return;
    }
    case 'rotate': {
      const secret = await clientRegistry.rotate(needId());
      if (values.json) console.log(JSON.stringify({ clientId, secret }));
      else console.log(`New secret for ${clientId}: ${secret}\n(shown once; the old secret no longer works)`);
      return;
    }
    case 'disable':
    case 'enable':
      await clientRegistry.setStatus(needId(), command === 'disable' ? 'disabled' : 'active');
      console.log(`${clientId} ${command}d`);
      return;
    case 'public':
    case 'private': {
      if (!argument) throw new Error(`${command} needs CLIENT_ID and NAMESPACE`);
      const client = await clientRegistry.setPublic(needId(), argument, command === 'public');
      console.log(
        values.json
          ? JSON.stringify(client)
          : `${describe(client)}\n(sets built from now on follow this; rebuild older sets to change theirs)`,
      );
      return;
    }
    case 'token': {
      const client = await clientRegistry.get(needId());
      if (!client) throw new Error(`no client ${clientId}`);
      const { token, record } = await serviceTokens.create(client.clientId, values.label ?? '');
      if (values.json) console.log(JSON.stringify({ ...record, token }));
      else
        console.log(`Service token ${record.tokenId} for ${clientId}: ${token}\n(shown once: store it now; revoke it with revoke-token)`);
      return;
    }
    case 'tokens': {
      const records = await serviceTokens.list(needId());
      if (values.json) console.log(JSON.stringify(records));
      else console.log(records.length ? records.map((r) => `${r.tokenId}  ${r.createdAt}  ${r.label}`).join('\n') : 'no service tokens');
      return;
    }
    case 'revoke-token': {
      if (!argument) throw new Error('revoke-token needs CLIENT_ID and TOKEN_ID');
      await serviceTokens.revoke(needId(), argument);
      console.log(`service token ${argument} of ${clientId} revoked`);
      return;
    }
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

try {
  await run();
} catch (error) {
  console.error(`error: ${isTesseraError(error) || error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

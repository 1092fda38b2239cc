import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../../functions/adapters/aws-clients.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { solidPng } from '../support/images.ts';

const SECRET = 'source-test-secret';
const stack = useLocalStack({ demo: { secret: SECRET, namespace: 'demo' } });
const PNG = solidPng(32, 32);

let origin = '';
let server: Server;
const endlessClosedAt: number[] = [];
before(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/image.png') return response.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
    if (path === '/hop') return response.writeHead(302, { location: '/image.png' }).end();
    // A Location no URL parser reads: an unclosed IPv6 literal.
    if (path === '/bad-redirect') return response.writeHead(302, { location: 'http://[::1' }).end();
    if (path.startsWith('/to?')) return response.writeHead(302, { location: new URLSearchParams(path.slice(4)).get('url')! }).end();
    if (path === '/big') return response.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000, 1));
    if (path === '/big-chunked') {
      response.writeHead(200);
      for (let index = 0; index < 10; index++) response.write(Buffer.alloc(500, 2));
      return response.end();
    }
    if (path === '/stall') return void response.writeHead(200).write('partial');
    if (path === '/endless') {
      response.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 3);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      request.socket.once('close', () => endlessClosedAt.push(Date.now()));
      return pump();
    }
    response.writeHead(404).end('no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

// Tests below tighten these settings; each test starts again from npm start's local defaults.
afterEach(() => {
  process.env.TESSERA_ALLOW_LOOPBACK_URLS = '1';
  delete process.env.TESSERA_SOURCE_MAX_BYTES;
  delete process.env.TESSERA_SOURCE_TIMEOUT_MS;
});

const uploadFrom = (source: string, filename: string) => postForm(`${stack.current.url}/upload`, { secret_key: SECRET, filename, source });

async function assertRefused(source: string, filename: string, message: string | RegExp) {
  const result = await uploadFrom(source, filename);
  assert.equal(result.status, 400, JSON.stringify(result.body));
  assert.equal(result.body.msg_code, 0);
  if (typeof message === 'string') assert.equal(result.body.message, message);
  else assert.match(String(result.body.message), message);
  assert.equal(await objectStore.head(filename), undefined, 'nothing may be stored');
}

describe('POST /upload with source', () => {
  it('answers a redirect to an invalid URL as an upstream failure in the storage envelope, and stores nothing', async () => {
    const answer = await uploadFrom(`${origin}/bad-redirect`, 'demo/bad-redirect.bin');
    assert.deepEqual(answer, { status: 400, body: { message: 'source redirected to an invalid URL', msg_code: 0 } });
    assert.equal(await objectStore.head('demo/bad-redirect.bin'), undefined);
  });

  it('fetches an http URL, following redirects, and stores its bytes and type', async () => {
    assert.equal((await uploadFrom(`${origin}/hop`, 'demo/fetched.png')).status, 200);
    const stored = await objectStore.head('demo/fetched.png');
    assert.equal(stored?.size, PNG.length);
    assert.equal(stored?.contentType, 'image/png');
  });

  it('prefers source over filedata when both are sent, as the original API does', async () => {
    const result = await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'demo/both.png',
      source: `${origin}/image.png`,
      filedata: { data: 'ignored' },
    });
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal((await objectStore.head('demo/both.png'))?.size, PNG.length);
  });

  it('copies from its own download URL inside the bucket, with no HTTP fetch', async () => {
    await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'demo/original.png',
      filedata: { data: PNG, type: 'image/png' },
    });
    const url = await objectStore.downloadUrl('demo/original.png', 300);
    // With loopback refused, only the in-bucket copy can succeed: the emulator is on 127.0.0.1.
    process.env.TESSERA_ALLOW_LOOPBACK_URLS = '0';
    assert.equal((await uploadFrom(url, 'demo/copied.png')).status, 200);
    assert.equal((await objectStore.head('demo/copied.png'))?.size, PNG.length);
  });

  describe("never reaches the stack's own services, though local development allows loopback", () => {
    before(async () => {
      await stack.ready();
      await objectStore.put('other/secret.txt', Buffer.from("another client's secret"), { contentType: 'text/plain', createOnly: false });
    });
    const s3Endpoint = () => process.env.AWS_ENDPOINT_URL_S3!;
    const bucketPath = () => `/${process.env.TESSERA_BUCKET}`;
    const ownPort = (url: string) => `${new URL(url).hostname.replace(/^\[|\]$/g, '')}:${new URL(url).port}`;

    it('the S3 emulator by another host name, the file server, the API, the DynamoDB emulator', async () => {
      const s3Port = new URL(s3Endpoint()).port;
      const refused: Array<[string, string]> = [
        [`http://localhost:${s3Port}${bucketPath()}/other/secret.txt`, `localhost:${s3Port}`],
        [`http://127.0.0.2:${s3Port}${bucketPath()}/other/secret.txt`, `127.0.0.2:${s3Port}`],
        [`${stack.current.publicUrl}/other/secret.txt`, ownPort(stack.current.publicUrl)],
        [`${stack.current.url}/health`, ownPort(stack.current.url)],
        [`${process.env.AWS_ENDPOINT_URL_DYNAMODB}/`, ownPort(process.env.AWS_ENDPOINT_URL_DYNAMODB!)],
      ];
      for (const [source, host] of refused) {
        await assertRefused(
          source,
          'demo/own1',
          `source URL ${host} is a port of Tessera's own services, which outbound requests may not reach`,
        );
      }
    });

    it('a redirect from an allowed server to the S3 emulator', async () => {
      const target = `http://localhost:${new URL(s3Endpoint()).port}${bucketPath()}/other/secret.txt`;
      await assertRefused(
        `${origin}/to?url=${encodeURIComponent(target)}`,
        'demo/own2',
        /^source URL localhost:\d+ is a port of Tessera's own services/,
      );
    });

    it('bucket URLs without a signature that holds: none, forged, "%2E%2E" segments, expired, tampered', async () => {
      const base = `${s3Endpoint()}${bucketPath()}`;
      const own = new URL(await objectStore.downloadUrl('demo/original.png', 300));
      const tampered = new URL(own);
      tampered.searchParams.set(
        'X-Amz-Signature',
        own.searchParams.get('X-Amz-Signature')!.replace(/^./, (c) => (c === '0' ? '1' : '0')),
      );
      const expired = await getSignedUrl(s3(), new GetObjectCommand({ Bucket: process.env.TESSERA_BUCKET, Key: 'demo/original.png' }), {
        expiresIn: 60,
        signingDate: new Date(Date.now() - 3_600_000),
      });
      for (const source of [
        `${base}/other/secret.txt`,
        `${base}/other/secret.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=local%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=604800&X-Amz-SignedHeaders=host&X-Amz-Signature=${'0'.repeat(64)}`,
        `${base}/demo/%2E%2E/other/secret.txt`,
        expired,
        tampered.href,
      ]) {
        await assertRefused(source, 'demo/own3', 'source is a Tessera download URL whose signature does not hold or has expired');
      }
    });

    it("a valid download URL of another client's file", async () => {
      const url = await objectStore.downloadUrl('other/secret.txt', 300);
      const result = await uploadFrom(url, 'demo/own4');
      assert.deepEqual(result, {
        status: 403,
        body: { message: 'source is a Tessera download URL of a file outside your namespaces', msg_code: 0 },
      });
      assert.equal(await objectStore.head('demo/own4'), undefined);
    });
  });

  describe('refuses URLs that could reach inside the network (SSRF)', () => {
    it('a redirect to the instance metadata service', () =>
      assertRefused(
        `${origin}/to?url=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`,
        'demo/ssrf1',
        'source URL host 169.254.169.254 resolves to a private or reserved address',
      ));
    it('a redirect to a private RFC 1918 address', () =>
      assertRefused(
        `${origin}/to?url=${encodeURIComponent('http://10.1.2.3/x')}`,
        'demo/ssrf2',
        'source URL host 10.1.2.3 resolves to a private or reserved address',
      ));
    it('a redirect to the IPv6 metadata address', () =>
      assertRefused(
        `${origin}/to?url=${encodeURIComponent('http://[fd00:ec2::254]/')}`,
        'demo/ssrf3',
        'source URL host fd00:ec2::254 resolves to a private or reserved address',
      ));
    it('an IPv4-mapped IPv6 metadata address', () =>
      assertRefused(
        'http://[::ffff:169.254.169.254]/',
        'demo/ssrf4',
        /^source URL host ::ffff:a9fe:a9fe resolves to a private or reserved address$/,
      ));
    it('IPv4-compatible IPv6 literals, judged by the IPv4 address inside', async () => {
      await assertRefused(
        'http://[::169.254.169.254]/',
        'demo/ssrf12',
        'source URL host ::a9fe:a9fe resolves to a private or reserved address',
      );
      await assertRefused('http://[::10.0.0.1]/', 'demo/ssrf13', 'source URL host ::a00:1 resolves to a private or reserved address');
      process.env.TESSERA_ALLOW_LOOPBACK_URLS = '0';
      await assertRefused('http://[::127.0.0.1]/', 'demo/ssrf14', 'source URL host ::7f00:1 resolves to a private or reserved address');
    });
    it('0.0.0.0', () =>
      assertRefused('http://0.0.0.0:80/', 'demo/ssrf5', 'source URL host 0.0.0.0 resolves to a private or reserved address'));
    it('loopback when local development has not allowed it', async () => {
      process.env.TESSERA_ALLOW_LOOPBACK_URLS = '0';
      await assertRefused(`${origin}/image.png`, 'demo/ssrf6', 'source URL host 127.0.0.1 resolves to a private or reserved address');
    });
    it('a decimal-encoded loopback address', async () => {
      process.env.TESSERA_ALLOW_LOOPBACK_URLS = '0';
      await assertRefused('http://2130706433/', 'demo/ssrf7', 'source URL host 127.0.0.1 resolves to a private or reserved address');
    });
    it('a host name that resolves to loopback (checked after DNS)', async () => {
      process.env.TESSERA_ALLOW_LOOPBACK_URLS = '0';
      const port = new URL(origin).port;
      await assertRefused(
        `http://localhost:${port}/image.png`,
        'demo/ssrf8',
        'source URL host localhost resolves to a private or reserved address',
      );
    });
    it('non-http schemes', () => assertRefused('file:///etc/passwd', 'demo/ssrf9', 'source URL must be an http or https URL, not file'));
    it('URLs with credentials', () =>
      assertRefused(`http://user:pw@127.0.0.1:1/`, 'demo/ssrf10', 'source URL must not contain credentials'));
    it('text that is not a URL', () => assertRefused('not a url', 'demo/ssrf11', 'source is not a valid URL'));
  });

  describe('caps what it fetches', () => {
    it('a declared length over the cap', async () => {
      process.env.TESSERA_SOURCE_MAX_BYTES = '1000';
      await assertRefused(`${origin}/big`, 'demo/cap1', 'source is 5000 bytes, over the 1000-byte limit');
    });
    it('a streamed body that grows past the cap', async () => {
      process.env.TESSERA_SOURCE_MAX_BYTES = '1000';
      await assertRefused(`${origin}/big-chunked`, 'demo/cap2', 'source is larger than the 1000-byte limit');
    });
    it('closes the upstream connection as soon as the cap trips, not at the time limit', async () => {
      process.env.TESSERA_SOURCE_MAX_BYTES = '100000';
      process.env.TESSERA_SOURCE_TIMEOUT_MS = '60000';
      await assertRefused(`${origin}/endless`, 'demo/cap6', 'source is larger than the 100000-byte limit');
      const answeredAt = Date.now();
      for (let waited = 0; endlessClosedAt.length === 0 && waited < 5000; waited += 50)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(endlessClosedAt.length, 1, 'the upstream connection is still open');
      assert.ok(endlessClosedAt[0]! - answeredAt < 5000);
    });
    it('a server that stalls past the time limit', async () => {
      process.env.TESSERA_SOURCE_TIMEOUT_MS = '300';
      await assertRefused(`${origin}/stall`, 'demo/cap3', /^source (took longer than 300 ms|did not answer in time)$/);
    });
    it('a source that answers with an error status', () => assertRefused(`${origin}/missing`, 'demo/cap4', 'source answered HTTP 404'));
    it('frees the name after a refused fetch, so the next upload can use it', async () => {
      process.env.TESSERA_SOURCE_MAX_BYTES = '1000';
      await assertRefused(`${origin}/big-chunked`, 'demo/cap5', 'source is larger than the 1000-byte limit');
      delete process.env.TESSERA_SOURCE_MAX_BYTES;
      assert.equal((await uploadFrom(`${origin}/image.png`, 'demo/cap5')).status, 200);
    });
  });
});

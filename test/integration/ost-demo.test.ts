import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseAuthorization, verifySignature } from '../../functions/core/xfyun-signature.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { MiB, download, sha256 } from '../support/ost.ts';
import {
  DEMO_DIGEST,
  DEMO_SLICE_BYTES,
  DemoCrash,
  XfyunDemo,
  demoHeaders,
  demoRoute,
  demoSlicePlan,
  encodeMultipart,
  pythonJson,
  type DemoExchange,
} from '../support/xfyun-demo.ts';

/*
 * Issue 12, point 4: xfyun's official upload demo (SeveFile), endpoint and credentials changed
 * only. `XfyunDemo` sends what the demo sends, byte for byte (see test/support/xfyun-demo.ts):
 * the file part first, the empty-body digest with its doubled prefix, the host without its port,
 * slices of 5,242,880 bytes one after another, and on an exact multiple of 5 MiB an empty last
 * slice in place of the file's last 5 MiB.
 */

const APP = 'tcxfyundemo000000001';
const SECRET = 'xfyun-demo-secret';
const stack = useLocalStack({ demo: { clientId: APP, secret: SECRET, namespace: 'xfdemo' } });
/** `lfasr_host = 'http://upload-ost-api.xfyun.cn/file'` pointed at Tessera; the APIKey is the client id. */
const demo = () => new XfyunDemo({ host: `${stack.current.url}/file`, appId: APP, apiKey: APP, apiSecret: SECRET });

// One random source; each upload sends a prefix of it.
const source = randomBytes(32 * MiB);
const fileOf = (bytes: number) => source.subarray(0, bytes);

const SIZES = [
  { label: '1 MiB', bytes: 1 * MiB },
  { label: '4.5 MiB', bytes: 4.5 * MiB },
  { label: '10 MiB', bytes: 10 * MiB },
  { label: '12 MiB', bytes: 12 * MiB },
  { label: '29 MiB', bytes: 29 * MiB },
  { label: '32 MiB', bytes: 32 * MiB },
] as const;

/** Every answer in the xfyun envelope with code 0, as the demo would have read it. */
function assertAllSucceeded(exchanges: readonly DemoExchange[]): void {
  for (const exchange of exchanges) {
    const answer = exchange.answer as { code?: unknown; message?: unknown; sid?: unknown };
    const what = `${exchange.path}${exchange.slice ? ` (slice ${exchange.slice.id}, ${exchange.slice.bytes} bytes)` : ''}`;
    assert.equal(exchange.status, 200, `${what} answered HTTP ${exchange.status}: ${JSON.stringify(exchange.answer)}`);
    assert.equal(answer.code, 0, `${what} answered ${JSON.stringify(exchange.answer)}`);
    assert.equal(answer.message, 'success');
    assert.equal(typeof answer.sid, 'string');
  }
}

/** The demo's sliced run: init, slices 1..N once each in order with the planned sizes and one request_id, complete. */
function assertSlicedShape(exchanges: readonly DemoExchange[], plan: readonly number[]): void {
  assert.deepEqual(
    exchanges.map((exchange) => exchange.path),
    ['/file/mpupload/init', ...plan.map(() => '/file/mpupload/upload'), '/file/mpupload/complete'],
  );
  const slices = exchanges.filter((exchange) => exchange.slice);
  assert.deepEqual(
    slices.map((exchange) => exchange.slice),
    plan.map((bytes, index) => ({ id: index + 1, bytes })),
  );
  const requestIds = new Set(slices.map((exchange) => /name="request_id"\r\n\r\n(\d{12})\r\n/.exec(exchange.body.toString('latin1'))?.[1]));
  assert.equal(requestIds.size, 1, 'one request_id for every slice');
}

async function assertArrived(url: string, expected: Buffer): Promise<void> {
  const stored = await download(url);
  assert.equal(stored.length, expected.length, 'stored size');
  assert.equal(sha256(stored), sha256(expected), 'stored bytes');
}

/** Runs the demo; a crash fails the test with what the demo would have printed and the last answer. */
async function run(client: XfyunDemo, upload: (client: XfyunDemo) => Promise<string>): Promise<string> {
  try {
    return await upload(client);
  } catch (error) {
    if (error instanceof DemoCrash) assert.fail(error.message);
    throw error;
  }
}

describe('the demo client reproduces the xfyun demo (no server)', () => {
  it('sends a slice exactly as requests and urllib3 do: file part first, empty-body digest, host without port', () => {
    const boundary = '0123456789abcdef0123456789abcdef';
    const form = encodeMultipart(
      [
        { name: 'data', value: { filename: 'audio/lfasr.mp3', data: Buffer.from([0x00, 0x01, 0x61, 0x62, 0x63, 0xff]) } },
        { name: 'app_id', value: 'app' },
        { name: 'request_id', value: '202406010101' },
        { name: 'upload_id', value: 'up_1' },
        { name: 'slice_id', value: 3 },
      ],
      boundary,
    );
    // What urllib3 2.7's encode_multipart_formdata gives for the same dict and boundary.
    const part = (disposition: string, value: string, type?: string) =>
      `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n${value}\r\n`;
    const expected = Buffer.from(
      part('name="data"; filename="audio/lfasr.mp3"', '\x00\x01abc\xff', 'audio/mpeg') +
        part('name="app_id"', 'app') +
        part('name="request_id"', '202406010101') +
        part('name="upload_id"', 'up_1') +
        part('name="slice_id"', '3') +
        `--${boundary}--\r\n`,
      'latin1',
    );
    assert.deepEqual(form.body, expected);
    assert.equal(form.contentType, `multipart/form-data; boundary=${boundary}`);
    assert.equal(
      pythonJson([
        ['app_id', 'app'],
        ['request_id', '202406010101'],
        ['cloud_id', '0'],
      ]).toString(),
      '{"app_id": "app", "request_id": "202406010101", "cloud_id": "0"}',
    );

    const date = new Date('Thu, 30 Jun 2022 02:48:19 GMT');
    const url = new URL('http://127.0.0.1:39123/file/mpupload/upload');
    const headers = demoHeaders(url, form.contentType, form.body.length, { apiKey: 'key', apiSecret: 'sec' }, date);
    assert.deepEqual(
      headers.map(([name]) => name),
      [
        'User-Agent',
        'Accept-Encoding',
        'Accept',
        'Connection',
        'host',
        'date',
        'authorization',
        'digest',
        'content-type',
        'Content-Length',
      ],
    );
    const byName = Object.fromEntries(headers.map(([name, value]) => [name.toLowerCase(), value]));
    assert.equal(byName.host, '127.0.0.1');
    assert.equal(byName.date, 'Thu, 30 Jun 2022 02:48:19 GMT');
    assert.equal(DEMO_DIGEST, 'SHA256=SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    assert.equal(byName.digest, DEMO_DIGEST);
    // The signature Python's hmac gives for the same host, date, path, digest and secret.
    assert.equal(
      byName.authorization,
      'api_key="key", algorithm="hmac-sha256", headers="host date request-line digest", signature="HySKrnvL2R+YV2zmPmZGaN2fUkp3PnTArHfYW7uzFBw="',
    );
    verifySignature(
      { method: 'POST', path: url.pathname, headers: byName },
      parseAuthorization(byName.authorization),
      'sec',
      date.getTime(),
    );
  });

  it('slices as the demo does: 5,242,880 bytes, the last one size % 5 MiB (empty on an exact multiple)', () => {
    assert.deepEqual(demoSlicePlan(1 * MiB), [1 * MiB]);
    assert.deepEqual(demoSlicePlan(4.5 * MiB), [4.5 * MiB]);
    assert.deepEqual(
      demoSlicePlan(10 * MiB),
      [DEMO_SLICE_BYTES, 0],
      '10 MiB goes as 5 MiB and an empty slice: the last 5 MiB are never sent',
    );
    assert.deepEqual(demoSlicePlan(12 * MiB), [DEMO_SLICE_BYTES, DEMO_SLICE_BYTES, 2 * MiB]);
    assert.deepEqual(demoSlicePlan(32 * MiB), [...Array<number>(6).fill(DEMO_SLICE_BYTES), 2 * MiB]);
    assert.deepEqual(demoSlicePlan(30 * MiB), [...Array<number>(5).fill(DEMO_SLICE_BYTES), 0]);
    assert.equal(demoRoute(29 * MiB), 'upload');
    assert.equal(demoRoute(30 * MiB - 1), 'upload');
    assert.equal(demoRoute(30 * MiB), 'sliced', 'the demo slices from 31,457,280 bytes on');
    assert.equal(demoRoute(32 * MiB), 'sliced');
  });
});

describe('the xfyun demo against Tessera, endpoint and credentials changed only', () => {
  for (const { label, bytes } of SIZES) {
    if (demoRoute(bytes) !== 'upload') continue;
    it(`${label}: one /file/upload, the demo's own way under 30 MiB`, async () => {
      const file = fileOf(bytes);
      const client = demo();
      const url = await run(client, (c) => c.upload(file));
      assert.deepEqual(
        client.exchanges.map((exchange) => exchange.path),
        ['/file/upload'],
      );
      assertAllSucceeded(client.exchanges);
      await assertArrived(url, file);
    });
  }

  for (const { label, bytes } of SIZES) {
    const plan = demoSlicePlan(bytes);
    if (plan.at(-1) === 0) continue; // below
    const own = demoRoute(bytes) === 'sliced';
    it(`${label}: ${plan.length} slice(s) of 5,242,880 bytes${own ? ", the demo's own way from 30 MiB" : ', as the issue asks too'}`, async () => {
      const file = fileOf(bytes);
      const client = demo();
      const url = await run(client, (c) => (own ? c.upload(file) : c.uploadSliced(file)));
      assertSlicedShape(client.exchanges, plan);
      assertAllSucceeded(client.exchanges);
      await assertArrived(url, file);
    });
  }

  it('10 MiB in slices: the demo sends 5 MiB and an empty slice 2; Tessera completes with exactly what was sent', async () => {
    // The demo's own bug: for an exact multiple of 5 MiB its last slice is size % 5 MiB = 0 bytes,
    // so the file's last 5 MiB never leave the client. No server can rebuild them; Tessera must
    // take the empty last slice and store exactly the bytes it was sent, as it would for a 5 MiB file.
    const file = fileOf(10 * MiB);
    const client = demo();
    const url = await run(client, (c) => c.uploadSliced(file));
    assertSlicedShape(client.exchanges, [DEMO_SLICE_BYTES, 0]);
    assertAllSucceeded(client.exchanges);
    await assertArrived(url, file.subarray(0, DEMO_SLICE_BYTES));
  });

  it('10 MiB as issue 12 reads the demo: 5 MiB, 5 MiB, then an empty slice 3, arrives byte-identical', async () => {
    const file = fileOf(10 * MiB);
    const client = demo();
    const plan = [DEMO_SLICE_BYTES, DEMO_SLICE_BYTES, 0];
    const url = await run(client, (c) => c.uploadSliced(file, plan));
    assertSlicedShape(client.exchanges, plan);
    assertAllSucceeded(client.exchanges);
    await assertArrived(url, file);
  });

  it("an empty last slice after a full one, at a size every gateway takes (the demo's loop with 1 MiB slices)", async () => {
    // Same requests as the demo's, slices of 1 MiB: isolates the empty last slice from body size.
    const file = fileOf(2 * MiB);
    const client = demo();
    const plan = demoSlicePlan(file.length, 1 * MiB);
    assert.deepEqual(plan, [1 * MiB, 0]);
    const url = await run(client, (c) => c.uploadSliced(file, plan));
    assertSlicedShape(client.exchanges, plan);
    assertAllSucceeded(client.exchanges);
    await assertArrived(url, file.subarray(0, 1 * MiB));
  });
});

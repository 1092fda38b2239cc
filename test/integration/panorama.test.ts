import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { clientRegistry } from '../../functions/adapters/client-registry.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { FACES } from '../../functions/core/panorama/layout.ts';
import { VIEWER_KEY } from '../../functions/resources.ts';
import { processTaskMessage } from '../support/lambdas.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { declaredPng } from '../support/images.ts';
import { coordinateRaw, gradientJpeg } from '../support/synthetic-images.ts';

// No worker loop: the test runs the worker's own message handler, so every state is observable.
const stack = useLocalStack({ demo: { secret: 'panorama-secret', namespace: 'pano' }, worker: false });
const SECRET = 'panorama-secret';
const CLIENT = () => stack.current.demo!.clientId;
const panorama = (fields: Parameters<typeof postForm>[1]) => postForm(`${stack.current.url}/panorama`, fields);
const jpeg = (width: number, height: number, quality = 85) => gradientJpeg(width, height, quality);

async function submit(filename: string, fields: Parameters<typeof postForm>[1] = {}): Promise<string> {
  const answer = await panorama({
    secret_key: SECRET,
    filename,
    filedata: { data: await jpeg(2048, 1024), type: 'image/jpeg' },
    ...fields,
  });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.msg_code, 1);
  return (answer.body.message as { task_id: string }).task_id;
}

const query = (taskId: string, secret = SECRET) => panorama({ secret_key: secret, task_id: taskId });
const runWorker = (taskId: string) => processTaskMessage({ clientId: CLIENT(), taskId });

/**
 * The config URL Pannellum's standalone page loads when opened at `viewerUrl`, by the page's own
 * rules (pannellum/src/standalone/standalone.js): parameters from the fragment, else the query,
 * split on "&" and "="; the config value decoded once and resolved against the page's URL; a
 * config on another origin refused.
 */
function pannellumConfigUrl(viewerUrl: string): string {
  const page = new URL(viewerUrl);
  const parameters = (page.hash || page.search).slice(1).split('&');
  const config = parameters.find((parameter) => parameter.split('=')[0] === 'config')?.split('=')[1];
  assert.ok(config, `no config parameter in ${viewerUrl}`);
  const configUrl = new URL(decodeURIComponent(config), page.href);
  assert.equal(configUrl.origin, page.origin, 'Config URL must be on same origin.');
  return String(configUrl);
}

/** The tile URLs Pannellum's multires viewer derives from a config.json it loaded from `configUrl`. */
function pannellumUrls(
  configUrl: string,
  config: {
    multiRes: { path: string; fallbackPath: string; extension: string; tileResolution: number; maxLevel: number; cubeResolution: number };
  },
): string[] {
  const basePath = configUrl.slice(0, configUrl.lastIndexOf('/') + 1);
  const { path, fallbackPath, extension, tileResolution, maxLevel, cubeResolution } = config.multiRes;
  const urls: string[] = [];
  for (let level = 1; level <= maxLevel; level++) {
    const size = cubeResolution / 2 ** (maxLevel - level);
    const tiles = Math.ceil(size / tileResolution);
    for (const face of FACES) {
      for (let y = 0; y < tiles; y++) {
        for (let x = 0; x < tiles; x++) {
          urls.push(
            `${basePath}${path.replace('%s', face).replace('%l', String(level)).replace('%x', String(x)).replace('%y', String(y))}.${extension}`,
          );
        }
      }
    }
  }
  for (const face of FACES) urls.push(`${basePath}${fallbackPath.replace('%s', face)}.${extension}`);
  return urls;
}

describe('POST /panorama', () => {
  it('stores the original, queues a build, reports it running, then lists every file it made', async () => {
    const taskId = await submit('pano/room.jpg', { '01_quality': '30', '02_quality': '95' });
    assert.ok(await objectStore.head('pano/room.jpg'), 'the original is stored like /upload stores it');
    const pending = await query(taskId);
    assert.deepEqual(pending, { status: 200, body: { message: { task_id: taskId, state: 'PENDING', progress: 0 }, msg_code: 0 } });

    await runWorker(taskId);
    const finished = await query(taskId);
    assert.equal(finished.status, 200);
    assert.equal(finished.body.msg_code, 1);
    const message = finished.body.message as { state: string; files: string[]; config_url: string; viewer_url: string };
    assert.equal(message.state, 'SUCCESS');
    // 2048×1024: cube 648, tiles of 512, levels 324 (1 tile) and 648 (2×2), six faces each.
    assert.equal(message.files.length, 6 * (1 + 4) + 6 + 1);
    assert.ok(message.files.includes('pano/room.jpg/01/f0_0.jpg') && message.files.includes('pano/room.jpg/02/d1_1.jpg'));
    assert.ok(message.files.includes('pano/room.jpg/fallback/b.jpg') && message.files.at(-1) === 'pano/room.jpg/config.json');
    for (const file of message.files) assert.ok(await objectStore.head(file), `${file} was written`);
    const quality = async (key: string) =>
      (await objectStore.read(key)).length / (await sharp(await objectStore.read(key)).metadata()).width ** 2;
    assert.ok(
      (await quality('pano/room.jpg/01/f0_0.jpg')) < (await quality('pano/room.jpg/02/f0_0.jpg')) * 0.6,
      '01_quality=30 compresses harder than 02_quality=95',
    );
    assert.equal((await taskStore.get({ clientId: CLIENT(), taskId }))?.progress, 1);
    assert.equal(message.config_url, `${stack.current.publicUrl}/pano/room.jpg/config.json`);
    assert.equal(message.viewer_url, `${stack.current.publicUrl}/${VIEWER_KEY}#config=${encodeURIComponent(message.config_url)}`);
  });

  // Real sizes: an 8K panorama is 5–20 MB, a 16K one 20–60 MB. Uncompressed PNGs make the size exact and cheap to make.
  for (const [label, width] of [
    ['20 MB', 3660],
    ['60 MB', 6340],
  ] as const) {
    it(`takes a ${label} filedata (streamed, spooled, never held whole) and builds it`, async () => {
      const data = await sharp(coordinateRaw(width, width / 2), { raw: { width, height: width / 2, channels: 3 } })
        .png({ compressionLevel: 0 })
        .toBuffer();
      assert.ok(data.length >= (label === '20 MB' ? 20e6 : 60e6), `${data.length} bytes`);
      const name = `pano/real-${width}.png`;
      const taskId = await submit(name, { filedata: { data, type: 'image/png' } });
      assert.ok((await objectStore.read(name)).equals(data), 'the original arrived byte-identical');
      await runWorker(taskId);
      const finished = await query(taskId);
      const message = finished.body.message as { state: string; files: string[] };
      assert.equal(message.state, 'SUCCESS', JSON.stringify(finished.body));
      assert.ok(message.files.includes(`${name}/fallback/f.png`) && message.files.at(-1) === `${name}/config.json`);
    });
  }

  it('reports a build in progress with its state and progress', async () => {
    const taskId = await submit('pano/progress.jpg');
    const key = { clientId: CLIENT(), taskId };
    const dispatched = await taskStore.transition(key, 'dispatch');
    await taskStore.transition(key, 'run', { version: dispatched.version, set: { progress: 0.5 } });
    assert.deepEqual(await query(taskId), {
      status: 200,
      body: { message: { task_id: taskId, state: 'RUNNING', progress: 0.5 }, msg_code: 0 },
    });
  });

  it('writes progress to the task while the worker builds', async () => {
    const taskId = await submit('pano/watched.jpg', { filedata: { data: await jpeg(4096, 2048), type: 'image/jpeg' } });
    const seen = new Set<number>();
    let running = true;
    const watching = (async () => {
      while (running) {
        const task = await taskStore.get({ clientId: CLIENT(), taskId });
        if (task?.state === 'RUNNING' && task.progress !== undefined) seen.add(task.progress);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    await runWorker(taskId);
    running = false;
    await watching;
    assert.ok(
      [...seen].some((progress) => progress > 0 && progress < 1),
      `progress seen while running: ${[...seen].join(', ')}`,
    );
  });

  it('keeps a PNG original a PNG set: .png tiles, PNG-encoded, and the config says so', async () => {
    const png = await sharp(await jpeg(2048, 1024))
      .png()
      .toBuffer();
    const answer = await panorama({ secret_key: SECRET, filename: 'pano/flat.png', filedata: { data: png, type: 'image/png' } });
    const taskId = (answer.body.message as { task_id: string }).task_id;
    await runWorker(taskId);
    const files = ((await query(taskId)).body.message as { files: string[] }).files;
    assert.ok(files.includes('pano/flat.png/02/r1_1.png') && files.includes('pano/flat.png/fallback/u.png'));
    assert.equal((await sharp(await objectStore.read('pano/flat.png/02/r1_1.png')).metadata()).format, 'png');
    assert.equal(JSON.parse((await objectStore.read('pano/flat.png/config.json')).toString()).multiRes.extension, 'png');
  });

  it("is viewable: viewer_url serves Pannellum's page, which loads config.json from its own origin, and every tile URL it derives answers", async () => {
    // "&", "=", "#", "%" and spaces: each breaks the viewer URL unless it is encoded for Pannellum's parser.
    const taskId = await submit('pano/view/great hall & co=1 #2 50%.jpg');
    await runWorker(taskId);
    const { config_url: configUrl, viewer_url: viewerUrl } = (await query(taskId)).body.message as {
      config_url: string;
      viewer_url: string;
    };
    assert.ok(viewerUrl.startsWith(`${stack.current.publicUrl}/`), 'the viewer is served beside the sets');

    const page = await fetch(viewerUrl);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html\b/);
    const html = Buffer.from(await page.arrayBuffer());
    assert.deepEqual(
      html,
      await readFile(createRequire(import.meta.url).resolve('pannellum/build/pannellum.htm')),
      "the pannellum package's own page",
    );
    assert.ok(html.toString().includes('Config URL must be on same origin.'), 'the page whose same-origin rule pannellumConfigUrl follows');

    const loaded = pannellumConfigUrl(viewerUrl);
    assert.equal(loaded, configUrl);
    const response = await fetch(loaded);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    const config = (await response.json()) as Parameters<typeof pannellumUrls>[1] & { autoLoad: boolean };
    assert.equal(config.autoLoad, true, 'the page opens on the panorama, not on a "Click to Load" button');
    assert.equal(config.multiRes.path, '/0%l/%s%y_%x');
    const urls = pannellumUrls(loaded, config);
    assert.equal(urls.length, 36);
    for (const url of urls) {
      const tile = await fetch(url);
      assert.equal(tile.status, 200, url);
      const { width, height } = await sharp(Buffer.from(await tile.arrayBuffer())).metadata();
      const limit = url.includes('/fallback/') ? 1024 : config.multiRes.tileResolution;
      assert.ok(width > 0 && width <= limit && height > 0 && height <= limit, `${url}: ${width}x${height}`);
    }
  });

  it('does not serve sets of namespaces that are not public', async () => {
    await clientRegistry.create({ clientId: 'tcprivate00000000001', name: 'private', namespaces: ['hidden'], secret: 'private-secret' });
    const answer = await panorama({
      secret_key: 'private-secret',
      filename: 'hidden/p.jpg',
      filedata: { data: await jpeg(2048, 1024), type: 'image/jpeg' },
    });
    const taskId = (answer.body.message as { task_id: string }).task_id;
    await processTaskMessage({ clientId: 'tcprivate00000000001', taskId });
    const finished = await query(taskId, 'private-secret');
    assert.equal(finished.body.msg_code, 1);
    const message = finished.body.message as { config_url?: string; viewer_url?: string };
    assert.equal(message.config_url, undefined);
    assert.equal(message.viewer_url, undefined);
    assert.equal((await fetch(`${stack.current.publicUrl}/hidden/p.jpg/config.json`)).status, 403);
    assert.equal((await fetch(`${stack.current.publicUrl}/pano/../hidden/p.jpg/config.json`)).status, 403);
  });

  it('builds from a Tessera download URL without the bytes leaving the bucket', async () => {
    await postForm(`${stack.current.url}/upload`, {
      secret_key: SECRET,
      filename: 'pano/src/upload.jpg',
      filedata: { data: await jpeg(2048, 1024), type: 'image/jpeg' },
    });
    const source = await objectStore.downloadUrl('pano/src/upload.jpg', 60);
    const answer = await panorama({ secret_key: SECRET, filename: 'pano/from-url.jpg', source });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const taskId = (answer.body.message as { task_id: string }).task_id;
    await runWorker(taskId);
    assert.equal((await query(taskId)).body.msg_code, 1);
  });

  it('handles a redelivered job message without redoing or corrupting the finished set', async () => {
    const taskId = await submit('pano/twice.jpg');
    await runWorker(taskId);
    const before = await taskStore.get({ clientId: CLIENT(), taskId });
    const tile = await objectStore.head('pano/twice.jpg/02/f0_0.jpg');
    await runWorker(taskId);
    const after = await taskStore.get({ clientId: CLIENT(), taskId });
    assert.equal(after?.version, before?.version, 'a finished task is not touched again');
    assert.deepEqual((await objectStore.head('pano/twice.jpg/02/f0_0.jpg'))?.lastModified, tile?.lastModified);
  });

  it('refuses a name whose original or set exists unless overwrite=1', async () => {
    await submit('pano/again.jpg');
    const original = await objectStore.head('pano/again.jpg');
    const refused = await panorama({
      secret_key: SECRET,
      filename: 'pano/again.jpg',
      filedata: { data: await jpeg(4096, 2048), type: 'image/jpeg' },
    });
    assert.deepEqual(refused, { status: 400, body: { message: 'file pano/again.jpg already exists', msg_code: 0 } });
    assert.equal((await objectStore.head('pano/again.jpg'))?.etag, original?.etag, 'the refused upload changed nothing');
    await objectStore.putGenerated('pano/orphan.jpg/config.json', Buffer.from('{}'), { contentType: 'application/json' });
    const setExists = await panorama({
      secret_key: SECRET,
      filename: 'pano/orphan.jpg',
      filedata: { data: await jpeg(2048, 1024), type: 'image/jpeg' },
    });
    assert.deepEqual(setExists, { status: 400, body: { message: 'a panorama set already exists under pano/orphan.jpg/', msg_code: 0 } });
    assert.equal(await objectStore.head('pano/orphan.jpg'), undefined);
    await submit('pano/again.jpg', { overwrite: '1' });
  });

  it('lets a newer upload of the same name supersede a build that has not run yet', async () => {
    const older = await submit('pano/newer.jpg');
    const newer = await submit('pano/newer.jpg', { overwrite: '1', filedata: { data: await jpeg(4096, 2048), type: 'image/jpeg' } });
    await runWorker(older);
    assert.deepEqual(await query(older), {
      status: 400,
      body: { message: 'the original pano/newer.jpg was replaced by a newer upload, whose own task builds the set', msg_code: 0 },
    });
    assert.equal(await objectStore.head('pano/newer.jpg/config.json'), undefined, 'the superseded build wrote nothing');
    await runWorker(newer);
    const files = ((await query(newer)).body.message as { files: string[] }).files;
    assert.ok(files.includes('pano/newer.jpg/03/f2_2.jpg'), 'the set is the 4096-wide one');
  });

  it('fails the task, and says why, when the image turns out unreadable', async () => {
    const whole = await jpeg(2048, 1024);
    const truncated = whole.subarray(0, Math.floor(whole.length * 0.6));
    const answer = await panorama({ secret_key: SECRET, filename: 'pano/cut.jpg', filedata: { data: truncated, type: 'image/jpeg' } });
    const taskId = (answer.body.message as { task_id: string }).task_id;
    await runWorker(taskId);
    const failed = await query(taskId);
    assert.equal(failed.status, 400);
    assert.equal(failed.body.msg_code, 0);
    // The tail is libvips' own words for the damage; the envelope and the lead are Tessera's.
    assert.match(String(failed.body.message), /^the image could not be decoded: \S/);
  });

  describe('bad input: the exact error in the envelope, and nothing stored or queued', () => {
    const qualities = 'fallback_quality, 01_quality, 02_quality, 03_quality, 04_quality';
    const cases: Array<[string, () => Promise<Parameters<typeof postForm>[1]>, number, string]> = [
      [
        'a file that is not an image',
        async () => ({ filedata: { data: 'just text' } }),
        400,
        'the file is not an image this service can read (JPEG, PNG or WebP expected)',
      ],
      [
        'a picture that is not 2:1',
        async () => ({ filedata: { data: await jpeg(1200, 800), type: 'image/jpeg' } }),
        400,
        'an equirectangular panorama is 2:1; this image is 1200x800',
      ],
      [
        'huge declared dimensions',
        async () => ({ filedata: { data: declaredPng(40000, 20000), type: 'image/png' } }),
        400,
        'the panorama is 40000x20000 (800000000 pixels); at most 536870912 pixels are accepted',
      ],
      [
        'a quality of 0',
        async () => ({ filedata: { data: await jpeg(2048, 1024) }, fallback_quality: '0' }),
        400,
        'fallback_quality must be an integer from 1 to 100',
      ],
      [
        'a quality of 101',
        async () => ({ filedata: { data: await jpeg(2048, 1024) }, '03_quality': '101' }),
        400,
        '03_quality must be an integer from 1 to 100',
      ],
      [
        'a fractional quality',
        async () => ({ filedata: { data: await jpeg(2048, 1024) }, '01_quality': '50.5' }),
        400,
        '01_quality must be an integer from 1 to 100',
      ],
      [
        'a quality for a level it does not take',
        async () => ({ filedata: { data: await jpeg(2048, 1024) }, '05_quality': '50' }),
        400,
        `05_quality is not a quality this API takes; it takes ${qualities}`,
      ],
      [
        'a private source address',
        async () => ({ source: 'http://10.1.2.3/pano.jpg' }),
        400,
        'source URL host 10.1.2.3 resolves to a private or reserved address',
      ],
      [
        'the metadata service behind a mapped IPv6 literal',
        async () => ({ source: 'http://[::ffff:169.254.169.254]/latest/meta-data' }),
        400,
        'source URL host ::ffff:a9fe:a9fe resolves to a private or reserved address',
      ],
      [
        'a name outside the client namespaces',
        async () => ({ filedata: { data: await jpeg(2048, 1024) }, filename: 'other/x.jpg' }),
        403,
        'filename must begin with one of your namespaces',
      ],
    ];
    for (const [name, fields, status, message] of cases) {
      it(name, async () => {
        const given = await fields();
        const filename = 'filename' in given ? String(given.filename) : `pano/bad/${name.replaceAll(' ', '-')}.jpg`;
        const tasksBefore = (await taskStore.listByClient(CLIENT(), { limit: 100, oldestFirst: false })).tasks.length;
        const answer = await panorama({ secret_key: SECRET, filename, ...given });
        assert.deepEqual(answer, { status, body: { message, msg_code: 0 } });
        assert.equal(await objectStore.head(filename), undefined);
        assert.equal(await objectStore.anyUnder(`${filename}/`), false);
        assert.equal((await taskStore.listByClient(CLIENT(), { limit: 100, oldestFirst: false })).tasks.length, tasksBefore);
      });
    }
  });

  it("answers another client's task id, or a malformed one, as a task that does not exist", async () => {
    const taskId = await submit('pano/mine.jpg');
    await clientRegistry.create({ clientId: 'tcother000000000001', name: 'other', namespaces: ['elsewhere'], secret: 'other-secret' });
    assert.deepEqual(await query(taskId, 'other-secret'), { status: 400, body: { message: `task ${taskId} does not exist`, msg_code: 0 } });
    assert.deepEqual(await query('../../etc'), { status: 400, body: { message: 'task ../../etc does not exist', msg_code: 0 } });
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { buildConsole, consoleOrigins, startConsoleServer, type ConsoleServer } from '../../local/console-server.ts';
import { startLocalStack, type LocalStack } from '../../local/local-stack.ts';
import { ARTIFACTS, launchChromium } from '../support/browser.ts';
import { accessTokenOf } from '../support/access-token.ts';
import { declaredPng } from '../support/images.ts';
import { postForm } from '../support/local-stack.ts';

/**
 * The web console in Debian's Chromium against the local stack (one stack, one browser, one page
 * for the whole file): each test goes on from where the last one left the page.
 */
const SECRET = 'console-e2e-secret';
const MiB = 1024 * 1024;

let stack: LocalStack;
let site: ConsoleServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let files: string;
const requests: Request[] = [];

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const store = (key: string, data: Buffer) =>
  postForm(`${stack.url}/upload`, { secret_key: SECRET, filename: key, filedata: { data }, overwrite: '1' });
const open = async (hash: string) => {
  await page.goto(`${site.url}/${hash}`);
  await page.locator('h1').first().waitFor();
};

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'tessera-console-'));
  let apiUrl = '';
  [site, browser] = await Promise.all([
    buildConsole(join(files, 'console')).then((dir) => startConsoleServer({ apiUrl: () => apiUrl, dir })),
    launchChromium(),
  ]);
  stack = await startLocalStack({ consoleOrigin: consoleOrigins(Number(new URL(site.url).port)), demo: { secret: SECRET } });
  apiUrl = stack.url;
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  page = await context.newPage();
  page.on('request', (request) => void requests.push(request));
});

after(async () => {
  await browser?.close();
  await site?.close();
  await stack?.stop();
  rmSync(files, { recursive: true, force: true });
});

describe('the web console', { timeout: 290_000 }, () => {
  test('signs in with a client id and secret, keeping only a token', async () => {
    await page.goto(site.url);
    await page.getByLabel('Client id', { exact: true }).fill(stack.demo!.clientId);
    await page.getByLabel('Secret', { exact: true }).fill(SECRET);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    const stored = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
    assert.ok(stored.includes('accessToken'), stored);
    assert.ok(!stored.includes(SECRET), 'the secret is stored nowhere in the browser');
    // The API answered the console's origin, and only it (CORS).
    const preflight = await fetch(`${stack.url}/v1/workspaces`, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    await shot('tasks');
  });

  test('refreshes the token before it expires, signs out, and signs in by keyboard alone', async () => {
    const before = await page.evaluate(() => JSON.parse(sessionStorage.getItem('tessera.session')!) as { accessToken: string });
    // Four minutes left: inside the five-minute margin, so the page refreshes it as it loads.
    await page.evaluate(() => {
      const saved = JSON.parse(sessionStorage.getItem('tessera.session')!) as { expiresAt: number };
      sessionStorage.setItem('tessera.session', JSON.stringify({ ...saved, expiresAt: Date.now() + 240_000 }));
    });
    await page.reload();
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    const after = await page.evaluate(
      () => JSON.parse(sessionStorage.getItem('tessera.session')!) as { accessToken: string; expiresAt: number },
    );
    assert.notEqual(after.accessToken, before.accessToken);
    assert.ok(after.expiresAt > Date.now() + 3_000_000, 'a fresh hour');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    // Focus starts in the client id field; Tab leads to the secret; Enter submits.
    await page.keyboard.type(stack.demo!.clientId);
    await page.keyboard.press('Tab');
    await page.keyboard.type(SECRET);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Tasks' }).waitFor();
    await shot('tasks-signed-in-again');
  });

  test('uploads 12 MiB in presigned slices and resumes after a reload', async () => {
    const path = join(files, 'big.bin');
    const bytes = randomBytes(12 * MiB);
    writeFileSync(path, bytes);
    const s3 = new URL(process.env.AWS_ENDPOINT_URL_S3!);
    const isSlice = (url: URL) => url.port === s3.port && url.searchParams.has('partNumber');
    // Slice 1 lands; the others hang until the page is reloaded under them.
    let let1Through = true;
    await context.route(isSlice, async (route) => {
      if (route.request().method() === 'PUT' && let1Through && new URL(route.request().url()).searchParams.get('partNumber') === '1') {
        let1Through = false;
        await route.continue();
      }
      // else: held, never answered
    });
    await open('#/upload');
    await page.getByLabel('File', { exact: true }).setInputFiles(path);
    await page.getByLabel('Namespace', { exact: true }).fill('demo');
    await page.getByLabel('Path in the namespace', { exact: true }).fill('big.bin');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.waitForFunction(() =>
      Object.keys(localStorage).some(
        (key) => key.startsWith('tessera.upload.') && Object.keys(JSON.parse(localStorage[key]!).done).length === 1,
      ),
    );
    await shot('upload-interrupted');
    await page.reload();
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    const mark = requests.length;
    await open('#/upload');
    await page.getByText('1 of 3 slices sent').waitFor();
    await page.getByLabel('File', { exact: true }).setInputFiles(path);
    await page.getByText('An earlier upload of this file was interrupted').waitFor();
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('p.done', { hasText: 'Uploaded demo/big.bin' }).waitFor({ timeout: 60_000 });
    assert.match((await page.locator('.detail').textContent()) ?? '', /1 of 3 slices were already sent/);
    const sentAgain = requests.slice(mark).filter((request) => request.method() === 'PUT' && isSlice(new URL(request.url())));
    assert.deepEqual(sentAgain.map((request) => new URL(request.url()).searchParams.get('partNumber')).sort(), ['2', '3']);
    const info = await postForm(`${stack.url}/get_file_info`, { secret_key: SECRET, filename: 'demo/big.bin' });
    assert.equal((info.body.message as { size: number }).size, 12 * MiB);
    const stored = await (await fetch((info.body.message as { url: string }).url)).arrayBuffer();
    assert.ok(Buffer.from(stored).equals(bytes), 'the stored file is the bytes sent');
    await shot('upload-done');
  });

  test('keeps an existing file unless told to replace it', async () => {
    const path = join(files, 'small.bin');
    writeFileSync(path, randomBytes(1024));
    await store('demo/kept.bin', Buffer.from('kept'));
    await open('#/upload');
    await page.getByLabel('File', { exact: true }).setInputFiles(path);
    await page.getByLabel('Namespace', { exact: true }).fill('demo');
    await page.getByLabel('Path in the namespace', { exact: true }).fill('kept.bin');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('alert').filter({ hasText: 'already exists' }).waitFor();
    await page.getByLabel('Replace the file if it exists').check();
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.locator('p.done', { hasText: 'Uploaded demo/kept.bin' }).waitFor();
    const info = await postForm(`${stack.url}/get_file_info`, { secret_key: SECRET, filename: 'demo/kept.bin' });
    assert.equal((info.body.message as { size: number }).size, 1024);
  });

  test('cancels an upload: the session ends on the server and is forgotten here', async () => {
    const path = join(files, 'cancelled.bin');
    writeFileSync(path, randomBytes(11 * MiB));
    const s3 = new URL(process.env.AWS_ENDPOINT_URL_S3!);
    await context.route(
      (url) => url.port === s3.port && url.searchParams.has('partNumber'),
      () => undefined, // every slice held
    );
    await open('#/upload');
    await page.getByLabel('File', { exact: true }).setInputFiles(path);
    await page.getByLabel('Path in the namespace', { exact: true }).fill('cancelled.bin');
    const mark = requests.length;
    await page.getByRole('button', { name: 'Upload' }).click();
    await waitFor(async () => requests.slice(mark).some((request) => request.url().includes('partNumber')));
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByText('Cancelled.').waitFor();
    await waitFor(async () => requests.slice(mark).some((request) => request.url().endsWith('/file/mpupload/cancel')));
    await context.unrouteAll({ behavior: 'ignoreErrors' });
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('tessera.upload.')).length), 0);
    assert.equal(await page.getByText('Choose the same file to resume').count(), 0);
  });

  test('refuses a rule the parser refuses before anything is sent', async () => {
    await open('#/work?input=demo/photo.jpg');
    await page.getByLabel('PicProcess job', { exact: true }).check();
    await page.getByLabel('Rule', { exact: true }).fill('imageMogr2/thumbnail/abc');
    await page.locator('#rule-problem.error').filter({ hasText: 'invalid imageMogr2 rule' }).waitFor();
    const mark = requests.length;
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('Not sent: invalid imageMogr2 rule').waitFor();
    await shot('work-bad-rule');
    assert.deepEqual(
      requests
        .slice(mark)
        .map((request) => request.url())
        .filter((url) => url.startsWith(stack.url)),
      [],
      'no request reached the API',
    );
  });

  test('runs a PicProcess job and shows Success, both images and ProcessResult', async () => {
    await store(
      'demo/photo.jpg',
      await sharp({ create: { width: 320, height: 200, channels: 3, background: '#3070c0' } })
        .jpeg()
        .toBuffer(),
    );
    await open('#/work?input=demo/photo.jpg');
    await page.getByLabel('PicProcess job', { exact: true }).check();
    await page.getByLabel('Output key', { exact: true }).fill('demo/photo-small.jpg');
    await page.getByLabel('Rule', { exact: true }).fill('imageMogr2/thumbnail/64x');
    await page.getByText('The rule is valid.').waitFor();
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('State: Success').waitFor({ timeout: 60_000 });
    const output = page.locator('img[data-output]');
    await output.waitFor();
    // The result image itself loaded from its download URL, at the size the rule asked for.
    await waitFor(async () => (await output.evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)) === 64);
    assert.match((await page.locator('.process-result').textContent()) ?? '', /"Width": "64"|"Width": 64/);
    await shot('result-picprocess');
  });

  test('runs a job from a template the work page offers', async () => {
    const token = await accessTokenOf(stack.url, stack.demo!.clientId, SECRET);
    const made = await fetch(`${stack.url}/template`, {
      method: 'POST',
      headers: { 'x-auth-token': token, 'content-type': 'application/xml' },
      body: '<Request><Tag>PicProcess</Tag><Name>half</Name><PicProcess><IsPicInfo>false</IsPicInfo><ProcessRule>imageMogr2/thumbnail/!50p</ProcessRule></PicProcess></Request>',
    });
    const templateId = /<TemplateId>([^<]+)<\/TemplateId>/.exec(await made.text())?.[1];
    assert.ok(templateId);
    await open('#/work?input=demo/photo.jpg');
    await page.getByLabel('PicProcess job').check();
    await page.locator(`#templates option[value="${templateId}"]`).waitFor({ state: 'attached' });
    await page.getByLabel('Output key', { exact: true }).fill('demo/photo-half.jpg');
    await page.getByLabel('or a template id', { exact: true }).fill(templateId);
    await page.getByLabel('Priority', { exact: true }).selectOption('2');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('State: Success').waitFor({ timeout: 60_000 });
    await waitFor(
      async () =>
        (await page.locator('img[data-output]').evaluate((image) => (image as unknown as { naturalWidth: number }).naturalWidth)) === 160,
    );
  });

  test('shows why a job failed', async () => {
    // A PNG that declares its size and holds no pixels: accepted at submit, refused by the decoder.
    await store('demo/broken.png', declaredPng(640, 480));
    await open('#/work?input=demo/broken.png');
    await page.getByLabel('PicProcess job', { exact: true }).check();
    await page.getByLabel('Output key', { exact: true }).fill('demo/broken-out.png');
    await page.getByLabel('Rule', { exact: true }).fill('imageMogr2/thumbnail/64x');
    await page.getByRole('button', { name: 'Start' }).click();
    await page
      .locator('p.task-state[data-state="FAILED"]')
      .waitFor({ timeout: 60_000 })
      .catch(async (error) => {
        await shot('result-failed');
        console.log(await page.locator('main').textContent());
        throw error;
      });
    await page.getByRole('alert').filter({ hasText: 'Failed:' }).waitFor();
    await shot('result-failed');
  });

  test('builds a panorama and shows it in Pannellum, its tiles answered 200', async () => {
    const pano = await sharp({
      create: { width: 4096, height: 2048, channels: 3, background: '#5080b0', noise: { type: 'gaussian', mean: 128, sigma: 40 } },
    })
      .jpeg()
      .toBuffer();
    await store('demo/pano.jpg', pano);
    await open('#/work?input=demo/pano.jpg');
    await page.getByLabel('Level 1', { exact: true }).fill('70');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.getByText('State: Success').waitFor({ timeout: 120_000 });
    const mark = requests.length;
    await page
      .locator('.pnlm-render-container canvas')
      .waitFor({ timeout: 30_000 })
      .catch(async (error) => {
        await shot('result-panorama-debug');
        console.log((await page.locator('main').innerHTML()).slice(0, 3000));
        throw error;
      });
    const tile = (request: Request) => request.url().startsWith(stack.publicUrl) && /\.jpg$/.test(new URL(request.url()).pathname);
    await waitFor(async () => requests.slice(mark).filter(tile).length >= 6);
    await page.waitForTimeout(1500);
    const tiles = requests.slice(mark).filter(tile);
    const answers = await Promise.all(tiles.map(async (request) => (await request.response())?.status()));
    assert.ok(tiles.length >= 6, `tiles requested: ${tiles.length}`);
    assert.ok(
      answers.every((status) => status === 200),
      `tile answers: ${answers.join(',')}`,
    );
    const canvas = await page.locator('.panorama').screenshot({ path: join(ARTIFACTS, 'result-panorama.png') });
    const { channels } = await sharp(canvas).stats();
    assert.ok(channels[0]!.stdev > 10, `the viewer's pixels vary (stdev ${channels[0]!.stdev.toFixed(1)})`);
  });

  test('stops a running task from the list', async () => {
    const pano = await sharp({
      create: { width: 8192, height: 4096, channels: 3, background: '#406080', noise: { type: 'gaussian', mean: 100, sigma: 30 } },
    })
      .jpeg()
      .toBuffer();
    await store('demo/pano-big.jpg', pano);
    await open('#/work?input=demo/pano-big.jpg');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.locator('p.task-state').waitFor();
    const taskId = decodeURIComponent(new URL(page.url()).hash.slice('#/task/'.length));
    await open('#/tasks');
    const row = page.locator(`tr[data-task="${taskId}"]`);
    await row.getByRole('button', { name: /^Stop / }).click();
    await page
      .locator(`tr[data-task="${taskId}"][data-state="STOP_SUCCESS"], tr[data-task="${taskId}"][data-state="INIT"]`)
      .waitFor({ timeout: 60_000 });
    assert.equal(await row.getByRole('button', { name: /^Stop / }).count(), 0, 'a stopped task offers no Stop');
    assert.equal(await row.getByRole('button', { name: /^Start / }).count(), 1, 'a stopped task may be started again');
    await shot('tasks-stopped');
  });

  test('filters the list by state, type and name, beside the counts by state', async () => {
    await open('#/tasks');
    await page.locator('dd[data-count="all"]').waitFor();
    const all = Number(await page.locator('dd[data-count="all"]').textContent());
    assert.equal(all, 5, 'two jobs, a failed job, two panoramas');
    await page.getByLabel('State', { exact: true }).selectOption('SUCCESS');
    await page.getByLabel('Type', { exact: true }).selectOption('PICPROCESS');
    await page.getByRole('button', { name: 'Apply' }).click();
    await waitFor(
      async () =>
        (await page.locator('tr[data-task]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-state')))).join() ===
        'SUCCESS,SUCCESS',
    );
    assert.equal(await page.locator('tr[data-task] td:nth-child(2)').first().textContent(), 'PICPROCESS');
    assert.equal(await page.getByRole('button', { name: /^Archive / }).count(), 2, 'a succeeded task may be archived');
    assert.equal(await page.getByRole('button', { name: /^Stop / }).count(), 0);
    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Type', { exact: true }).selectOption('');
    await page.getByLabel('Name contains', { exact: true }).fill('panorama');
    await page.getByRole('button', { name: 'Apply' }).click();
    await waitFor(async () => {
      const types = await page.locator('tr[data-task] td:nth-child(2)').allTextContents();
      return types.length === 2 && types.every((type) => type === 'PANORAMA');
    });
    await shot('tasks-filtered');
  });

  test('labels every control on every page', async () => {
    for (const hash of ['#/tasks', '#/upload', '#/work']) {
      await open(hash);
      const unlabelled = await page
        .locator('main input, main select, main textarea')
        .evaluateAll((controls) =>
          controls
            .filter(
              (control) => !(control as unknown as { labels: { length: number } }).labels.length && !control.getAttribute('aria-label'),
            )
            .map((control) => control.getAttribute('name')),
        );
      assert.deepEqual(unlabelled, [], hash);
    }
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startConsoleServer, type ConsoleServer } from '../../local/console-server.ts';

/** A raw GET, so paths reach the server exactly as written (fetch would normalise them). */
const get = (url: string, path: string) =>
  new Promise<{ status: number; body: string }>((done, fail) => {
    const target = new URL(url);
    request({ host: target.hostname, port: target.port, path, method: 'GET' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => done({ status: response.statusCode ?? 0, body }));
    })
      .on('error', fail)
      .end();
  });

describe("the console's local file server", () => {
  const folder = mkdtempSync(join(tmpdir(), 'tessera-console-server-'));
  const site = join(folder, 'site');
  let server: ConsoleServer;

  before(async () => {
    mkdirSync(site);
    writeFileSync(join(site, 'index.html'), '<!doctype html><title>console</title>');
    // A sibling whose name starts with the site's: outside the site all the same.
    mkdirSync(join(folder, 'site2'));
    writeFileSync(join(folder, 'site2', 'secret.txt'), 'not to be served');
    server = await startConsoleServer({ apiUrl: 'http://127.0.0.1:3000', dir: site });
  });
  after(async () => {
    await server.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers a malformed path with 400 and keeps serving', async () => {
    assert.deepEqual(await get(server.url, '/%E0%A4%A'), { status: 400, body: 'bad path' });
    const page = await get(server.url, '/');
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>console<\/title>/);
  });

  it('serves nothing outside its folder, not even from a sibling folder named like it', async () => {
    for (const path of ['/../site2/secret.txt', '/%2E%2E/site2/secret.txt', '/..%2Fsite2%2Fsecret.txt']) {
      const answer = await get(server.url, path);
      assert.notEqual(answer.status, 200, path);
      assert.doesNotMatch(answer.body, /not to be served/, path);
    }
  });

  it('names the API in config.json', async () => {
    assert.deepEqual(JSON.parse((await get(server.url, '/config.json')).body), { apiUrl: 'http://127.0.0.1:3000' });
  });
});

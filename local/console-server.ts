import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { CONSOLE_DIR } from '../console/build.ts';

export { buildConsole } from '../console/build.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

export interface ConsoleServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The console's static files, as the deployed bucket and CloudFront serve them, and its
 * config.json naming the API (deployed, the stack writes that file beside the page).
 */
export async function startConsoleServer(options: {
  /** The API's base URL; a function when it is known only after the server started (tests). */
  apiUrl: string | (() => string);
  port?: number;
  host?: string;
  /** The built console (console/build.ts), .tessera/console by default. */
  dir?: string;
}): Promise<ConsoleServer> {
  const root = options.dir ?? CONSOLE_DIR;
  const apiUrl = options.apiUrl;
  const config = () => Buffer.from(JSON.stringify({ apiUrl: typeof apiUrl === 'string' ? apiUrl : apiUrl() }));
  const server = createServer((request, response) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    } catch {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad path');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/config.json') {
      response.writeHead(200, { 'content-type': TYPES['.json'], 'cache-control': 'no-store' }).end(config());
      return;
    }
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (file !== root && !file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`)) {
      response.writeHead(403).end();
      return;
    }
    stat(file)
      .then(async (info) => {
        if (!info.isFile()) throw new Error('not a file');
        const body = await readFile(file);
        response.writeHead(200, {
          'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          'content-length': body.length,
          'cache-control': path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
          'x-content-type-options': 'nosniff',
        });
        response.end(request.method === 'HEAD' ? undefined : body);
      })
      .catch(() => {
        const missing = path === '/' || path === '/index.html';
        response
          .writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
          .end(missing ? 'The console is not built yet: npm run build:console' : 'not found');
      });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', done);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** The origins a page from this port sends: the API's CORS allows exactly these (TESSERA_CONSOLE_ORIGIN). */
export const consoleOrigins = (port: number): string => `http://127.0.0.1:${port},http://localhost:${port}`;

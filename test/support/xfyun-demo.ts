import { createHash, randomBytes } from 'node:crypto';
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { sign } from '../../functions/core/xfyun-signature.ts';

/*
 * A client of our own that sends, request for request and byte for byte, what xfyun's official
 * Python upload demo sends (the `SeveFile` class of the 录音文件转写极速版 / speedTranscription
 * demo, `file_piece_sice = 5242880`). Facts reproduced, as the demo runs under `requests` and
 * `urllib3` (checked against requests 2.34 and urllib3 2.7):
 *
 * - Base URL `http://upload-ost-api.xfyun.cn/file` (the part a user changes), paths `/upload`,
 *   `/mpupload/init`, `/mpupload/upload`, `/mpupload/complete`. Every call is a POST through
 *   `requests.post(url, headers=…, data=body, timeout=8)`: a fresh connection each time.
 * - Headers: requests' defaults first (`User-Agent`, `Accept-Encoding`, `Accept`, `Connection`),
 *   then the demo's `host`, `date`, `authorization`, `digest`, `content-type`, in that order and
 *   lower case, then requests' `Content-Length`.
 * - `host` is the URL's hostname *without the port*, and that is what is signed.
 * - `date` is RFC 1123 GMT, whole seconds.
 * - `digest` is the digest of an empty string with a doubled prefix, whatever the body:
 *   `SHA256=SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=`.
 * - `authorization`: `api_key="…", algorithm="hmac-sha256", headers="host date request-line digest", signature="…"`
 *   (no `hmac ` prefix), the signature an HMAC-SHA256 with the APISecret over
 *   `host: …\ndate: …\nPOST <path> HTTP/1.1\ndigest: …`.
 * - `request_id` is the local time as `YYYYMMDDHHMM`: one for init, one for every slice of the
 *   file, and the one taken before init for complete.
 * - Multipart bodies from `urllib3.encode_multipart_formdata` of a dict: parts in the dict's
 *   order, the file part FIRST — `data` (filename = the path as the user gave it, Content-Type
 *   guessed from its extension), then `app_id`, `request_id` (and for a slice `upload_id`,
 *   `slice_id` as decimal text); boundary 32 random hex digits; text parts carry no Content-Type.
 * - JSON bodies from `json.dumps`: `{"app_id": "…", "request_id": "…", "cloud_id": "0"}` for
 *   init, `{"app_id", "request_id", "upload_id"}` for complete; `content-type: application/json`.
 * - The caller sends a file under 31,457,280 bytes (30 MiB) to `/upload` in one request, a
 *   larger one in slices.
 * - Slices: `ceil(size / 5242880)` of them, ids 1.., sent one after another, read in sequence
 *   from the file; every slice is 5,242,880 bytes except the last, which is `size % 5242880`.
 *   So when the size is an exact multiple of 5 MiB the last slice is EMPTY and the file's last
 *   5 MiB are never sent (10 MiB goes as 5 MiB + 0 bytes).
 * - Answers are read with `resp.json()` whatever the HTTP status; a call that raises (connection,
 *   timeout, body not JSON) yields False. `/upload` and complete then take `['data']['url']`,
 *   init `['data']['upload_id']` (a KeyError when `data` is missing). A slice is "sent" when its
 *   answer is truthy: any non-empty JSON object, whatever its code. A falsy one is sent again
 *   (same bytes, signed anew) up to 3 more times, sleeping 1 s after each; then the demo quits.
 */

export const DEMO_SLICE_BYTES = 5_242_880;
/** The caller's threshold: `file_total_size < 31457280` goes to `/upload`, anything else in slices. */
export const DEMO_SLICED_FROM_BYTES = 31_457_280;
export const DEMO_TIMEOUT_MS = 8_000;
export const DEMO_SLICE_RETRIES = 3;
export const DEMO_DIGEST = `SHA256=SHA-256=${createHash('sha256').update('').digest('base64')}`;
/** requests' own headers, as a stock `pip install requests` sends them. */
export const DEMO_DEFAULT_HEADERS: ReadonlyArray<readonly [string, string]> = [
  ['User-Agent', 'python-requests/2.34.2'],
  ['Accept-Encoding', 'gzip, deflate'],
  ['Accept', '*/*'],
  ['Connection', 'keep-alive'],
];

export interface DemoCredentials {
  /** The demo's `lfasr_host` with the endpoint changed: `http://127.0.0.1:3000/file`. */
  readonly host: string;
  readonly appId: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

export interface DemoOptions {
  /** The path the user passes as `upload_file_path`: it is the file part's filename as is. */
  readonly filePath?: string;
  readonly timeoutMs?: number;
  readonly retryDelayMs?: number;
  readonly now?: () => Date;
}

/** A JSON value as Python's `json.loads` gives it; `false` also stands for the demo's failed call. */
export type PyValue = null | boolean | number | string | PyValue[] | { [key: string]: PyValue };

export interface DemoExchange {
  readonly path: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** What the demo's `call()` returned: the parsed answer, or false. */
  readonly answer: PyValue;
  /** Not looked at by the demo; kept for tests. */
  readonly status?: number;
  /** Why the call yielded false, when it did: the transport error or the body that was not JSON. */
  readonly failure?: string;
  /** For a slice: its id and how many of the file's bytes it carried. */
  readonly slice?: { readonly id: number; readonly bytes: number };
}

/** The demo stopped the way Python would: an uncaught exception or `quit()`. */
export class DemoCrash extends Error {
  constructor(
    readonly python: string,
    readonly exchanges: readonly DemoExchange[],
  ) {
    const last = exchanges.at(-1);
    super(
      `the demo would stop with ${python}; last call ${last?.path ?? '(none)'} answered ` +
        (last?.failure ?? `HTTP ${last?.status}: ${JSON.stringify(last?.answer ?? null)}`),
    );
    this.name = 'DemoCrash';
  }
}

export interface FormPart {
  readonly name: string;
  readonly value: string | number | { readonly filename: string; readonly data: Buffer };
}

/** Python's `mimetypes.guess_type` for the extensions an audio upload has; urllib3's default otherwise. */
const GUESSED_TYPES: Record<string, string> = {
  mp3: 'audio/mpeg',
  wav: 'audio/x-wav',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  txt: 'text/plain',
  json: 'application/json',
};
export function guessContentType(filename: string): string {
  const extension = /\.([^./\\]+)$/.exec(filename)?.[1]?.toLowerCase();
  return (extension && GUESSED_TYPES[extension]) || 'application/octet-stream';
}

/** urllib3 2.x's header parameter: `name="value"` with `"`, CR and LF percent-encoded. */
const param = (name: string, value: string) => `${name}="${value.replaceAll('\n', '%0A').replaceAll('\r', '%0D').replaceAll('"', '%22')}"`;

/** The bytes and content type `urllib3.encode_multipart_formdata` produces for these parts, in order. */
export function encodeMultipart(
  parts: readonly FormPart[],
  boundary = randomBytes(16).toString('hex'),
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const isFile = typeof part.value === 'object';
    const lines = [
      `Content-Disposition: form-data; ${param('name', part.name)}${isFile ? `; ${param('filename', part.value.filename)}` : ''}`,
    ];
    if (isFile) lines.push(`Content-Type: ${guessContentType(part.value.filename)}`);
    chunks.push(Buffer.from(`--${boundary}\r\n${lines.join('\r\n')}\r\n\r\n`, 'utf8'));
    chunks.push(isFile ? part.value.data : Buffer.from(String(part.value), 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** `json.dumps` of a flat dict of strings: `", "` and `": "` separators, ASCII only. */
export function pythonJson(fields: ReadonlyArray<readonly [string, string]>): Buffer {
  const ascii = (text: string) =>
    JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(`{${fields.map(([name, value]) => `${ascii(name)}: ${ascii(value)}`).join(', ')}}`, 'latin1');
}

/** `time.strftime("%Y%m%d%H%M")`: local time, to the minute. */
export function demoRequestId(date: Date): string {
  const two = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}${two(date.getHours())}${two(date.getMinutes())}`;
}

/** The slice sizes the demo's loop sends for a file of this size, in order (ids 1..). */
export function demoSlicePlan(fileSize: number, sliceBytes = DEMO_SLICE_BYTES): number[] {
  const chunks = Math.ceil(fileSize / sliceBytes);
  return Array.from({ length: chunks }, (_, index) => (index + 1 === chunks ? fileSize % sliceBytes : sliceBytes));
}

/** Which request the demo's caller uses for a file of this size. */
export const demoRoute = (fileSize: number): 'upload' | 'sliced' => (fileSize < DEMO_SLICED_FROM_BYTES ? 'upload' : 'sliced');

/** The demo's headers for one call, in the order and case they go on the wire. */
export function demoHeaders(
  url: URL,
  contentType: string,
  bodyLength: number,
  credentials: Pick<DemoCredentials, 'apiKey' | 'apiSecret'>,
  date: Date,
): Array<readonly [string, string]> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const when = new Date(Math.floor(date.getTime() / 1000) * 1000).toUTCString();
  const origin = `host: ${host}\ndate: ${when}\nPOST ${url.pathname} HTTP/1.1\ndigest: ${DEMO_DIGEST}`;
  const signature = sign(origin, credentials.apiSecret);
  const authorization = `api_key="${credentials.apiKey}", algorithm="hmac-sha256", headers="host date request-line digest", signature="${signature}"`;
  return [
    ...DEMO_DEFAULT_HEADERS,
    ['host', host],
    ['date', when],
    ['authorization', authorization],
    ['digest', DEMO_DIGEST],
    ['content-type', contentType],
    ['Content-Length', String(bodyLength)],
  ];
}

const pyTruthy = (value: PyValue): boolean =>
  value === null || value === false || value === 0 || value === ''
    ? false
    : Array.isArray(value)
      ? value.length > 0
      : typeof value === 'object'
        ? Object.keys(value).length > 0
        : true;

function pyTypeName(value: PyValue): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  return Array.isArray(value) ? 'list' : 'dict';
}

function decoded(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

interface HttpAnswer {
  readonly status: number;
  readonly encoding: string | undefined;
  readonly body: Buffer;
}

/**
 * An HTTP/1.1 answer from the bytes received so far: undefined until it is complete (by
 * Content-Length, by the last chunk, or, with neither, by the connection closing). 1xx skipped.
 */
function parseHttpAnswer(raw: Buffer, closed: boolean): HttpAnswer | undefined {
  const headEnd = raw.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = raw.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
  if (Number.isNaN(status)) throw new Error(`not an HTTP answer: ${statusLine.slice(0, 80)}`);
  const rest = raw.subarray(headEnd + 4);
  if (status >= 100 && status < 200) return parseHttpAnswer(rest, closed);
  const headers = new Map(
    lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const encoding = headers.get('content-encoding');
  if (/\bchunked\b/i.test(headers.get('transfer-encoding') ?? '')) {
    const chunks: Buffer[] = [];
    for (let offset = 0; ;) {
      const lineEnd = rest.indexOf('\r\n', offset);
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunked answer');
      if (size === 0) return rest.indexOf('\r\n\r\n', lineEnd) >= 0 ? { status, encoding, body: Buffer.concat(chunks) } : undefined;
      if (rest.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
  }
  const length = headers.get('content-length');
  if (length !== undefined) return rest.length >= Number(length) ? { status, encoding, body: rest.subarray(0, Number(length)) } : undefined;
  return closed ? { status, encoding, body: rest } : undefined;
}

/** The xfyun upload demo, with only its endpoint and credentials changed. */
export class XfyunDemo {
  readonly exchanges: DemoExchange[] = [];
  readonly filePath: string;
  readonly #timeoutMs: number;
  readonly #retryDelayMs: number;
  readonly #now: () => Date;

  constructor(
    readonly credentials: DemoCredentials,
    options: DemoOptions = {},
  ) {
    this.filePath = options.filePath ?? 'audio/lfasr.mp3';
    this.#timeoutMs = options.timeoutMs ?? DEMO_TIMEOUT_MS;
    this.#retryDelayMs = options.retryDelayMs ?? 1000;
    this.#now = options.now ?? (() => new Date());
  }

  /** What the demo's caller does with a file: `/upload` under 30 MiB, slices from there on. Answers the URL. */
  upload(file: Buffer): Promise<string> {
    return demoRoute(file.length) === 'upload' ? this.uploadWhole(file) : this.uploadSliced(file);
  }

  /** `gene_params('/upload')['data']['url']`. */
  async uploadWhole(file: Buffer): Promise<string> {
    const requestId = demoRequestId(this.#now());
    const form = encodeMultipart([
      { name: 'data', value: { filename: this.filePath, data: file } },
      { name: 'app_id', value: this.credentials.appId },
      { name: 'request_id', value: requestId },
    ]);
    const answer = await this.call('/upload', form.body, form.contentType);
    return this.#string(this.#index(this.#index(answer, 'data'), 'url'));
  }

  /**
   * `gene_params('/mpupload/upload')`: init, the slices one after another, complete. `slices`
   * replaces the demo's slice sizes (they must add up to no more than the file) for variants.
   */
  async uploadSliced(file: Buffer, slices: readonly number[] = demoSlicePlan(file.length)): Promise<string> {
    const completeRequestId = demoRequestId(this.#now());
    const init = await this.call(
      '/mpupload/init',
      pythonJson([
        ['app_id', this.credentials.appId],
        ['request_id', demoRequestId(this.#now())],
        ['cloud_id', '0'],
      ]),
      'application/json',
    );
    if (!pyTruthy(init)) throw new DemoCrash('UnboundLocalError on upload_id (init answered nothing truthy)', this.exchanges);
    const uploadId = this.#string(this.#index(this.#index(init, 'data'), 'upload_id'));

    const sliceRequestId = demoRequestId(this.#now());
    let offset = 0;
    for (const [index, size] of slices.entries()) {
      const sliceId = index + 1;
      const form = encodeMultipart([
        { name: 'data', value: { filename: this.filePath, data: file.subarray(offset, offset + size) } },
        { name: 'app_id', value: this.credentials.appId },
        { name: 'request_id', value: sliceRequestId },
        { name: 'upload_id', value: uploadId },
        { name: 'slice_id', value: sliceId },
      ]);
      offset += size;
      const slice = { id: sliceId, bytes: size };
      let answer = await this.call('/mpupload/upload', form.body, form.contentType, slice);
      for (let count = 0; !pyTruthy(answer) && count < DEMO_SLICE_RETRIES; count++) {
        answer = await this.call('/mpupload/upload', form.body, form.contentType, slice);
        await new Promise((resolve) => setTimeout(resolve, this.#retryDelayMs));
      }
      if (!pyTruthy(answer)) throw new DemoCrash('SystemExit (quit() after a slice failed 4 times)', this.exchanges);
    }

    const done = await this.call(
      '/mpupload/complete',
      pythonJson([
        ['app_id', this.credentials.appId],
        ['request_id', completeRequestId],
        ['upload_id', uploadId],
      ]),
      'application/json',
    );
    return this.#string(this.#index(this.#index(done, 'data'), 'url'));
  }

  /** The demo's `call()`: POST, then `resp.json()` whatever the status, or false if anything raised. */
  async call(apiPath: string, body: Buffer, contentType: string, slice?: DemoExchange['slice']): Promise<PyValue> {
    const url = new URL(this.credentials.host + apiPath);
    const headers = demoHeaders(url, contentType, body.length, this.credentials, this.#now());
    let answer: PyValue = false;
    let status: number | undefined;
    let failure: string | undefined;
    try {
      const response = await this.#post(url, headers, body);
      status = response.status;
      const text = decoded(response.body, response.encoding).toString('utf8');
      try {
        answer = JSON.parse(text) as PyValue;
      } catch {
        failure = `HTTP ${status}, not JSON: ${text.slice(0, 200)}`;
      }
    } catch (error) {
      failure = `the request failed: ${(error as Error).message}`;
    }
    this.exchanges.push({
      path: url.pathname,
      headers,
      body,
      answer,
      status,
      ...(failure ? { failure } : {}),
      ...(slice ? { slice } : {}),
    });
    return answer;
  }

  /**
   * One POST on a fresh connection, written raw so the request goes out exactly as listed. Like
   * urllib3, a reset or broken pipe while the body is still going out is not an error by itself:
   * a server that answers early and closes is still read, and only a connection that ends with
   * no complete answer fails the call.
   */
  #post(url: URL, headers: ReadonlyArray<readonly [string, string]>, body: Buffer) {
    return new Promise<HttpAnswer>((resolve, reject) => {
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      const secure = url.protocol === 'https:';
      const port = Number(url.port) || (secure ? 443 : 80);
      const socket = secure ? tls.connect({ host, port, ...(isIP(host) ? {} : { servername: host }) }) : net.connect({ host, port });
      const received: Buffer[] = [];
      let failure: Error | undefined;
      let settled = false;
      const settle = (outcome: HttpAnswer | Error) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.write(
          `POST ${url.pathname}${url.search} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`,
          'latin1',
        );
        socket.write(body);
      });
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk);
        const answer = parseHttpAnswer(Buffer.concat(received), false);
        if (answer) settle(answer);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE' || error.code === 'ECONNRESET') failure ??= error;
        else settle(error);
      });
      socket.on('close', () =>
        settle(parseHttpAnswer(Buffer.concat(received), true) ?? failure ?? new Error('connection closed with no answer')),
      );
      socket.setTimeout(this.#timeoutMs, () => settle(new Error(`read timed out (${this.#timeoutMs} ms)`)));
    });
  }

  /** `value[key]` as Python evaluates it on what `json.loads` returned. */
  #index(value: PyValue, key: string): PyValue {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const type = pyTypeName(value);
      throw new DemoCrash(
        type === 'list'
          ? 'TypeError: list indices must be integers or slices, not str'
          : `TypeError: '${type}' object is not subscriptable`,
        this.exchanges,
      );
    }
    if (!Object.hasOwn(value, key)) throw new DemoCrash(`KeyError: '${key}'`, this.exchanges);
    return value[key]!;
  }

  #string(value: PyValue): string {
    if (typeof value !== 'string') throw new DemoCrash(`a ${pyTypeName(value)} where the demo expects a URL string`, this.exchanges);
    return value;
  }
}

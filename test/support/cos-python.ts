import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { XMLParser } from 'fast-xml-parser';

/**
 * A client that sends exactly what Tencent's cos-python-sdk-v5 1.9.41 sends, and reads the answer
 * as it does, for the ci methods Tessera serves. PyPI is out of reach here, so this is written
 * from the SDK's source (qcloud_cos/cos_client.py, cos_auth.py, cos_comm.py, cos_exception.py,
 * xml2dict.py) and checked against the SDK itself sending to a capturing server; nothing of
 * Tessera's is reused, so a server-side mistake cannot hide behind a shared helper.
 *
 * Configured as a user would point the SDK at Tessera, changing only the endpoint and
 * credentials, in either of the SDK's two ways:
 * - `CosConfig(Region=…, SecretId=…, SecretKey=…, Scheme='http', Domain='127.0.0.1:3300')`: every
 *   URL is `<Scheme>://<Domain>/<path>`, whatever the Bucket; requests (the HTTP library) sends
 *   `Host: 127.0.0.1:3300`, but CosS3Auth signs the URL's *hostname* (`urlparse(url).hostname`):
 *   `127.0.0.1`, port dropped;
 * - `CosConfig(Region=…, …, Scheme='http', IP='127.0.0.1', Port=3300)`: the same URLs, but the SDK
 *   sets `Host: <Bucket>.cos.<Region>.myqcloud.com` itself, and signs that.
 * Either way:
 * - it signs content-type, content-length, host and x-cos-/x-ci- headers present when
 *   requests prepares the request (not Host, which http.client adds later: hence the hostname),
 *   and every query parameter; from now−60 s to now+10000 s;
 * - a 4xx is not retried, a 5xx is retried up to 3 times after 1, 2, 3 s (with x-cos-sdk-retry);
 * - a failure is read by digest_xml (the first Code, Message, Resource and RequestId element's
 *   first child each, TraceId if any; anything missing and the XML is not an error) or else as
 *   JSON; `get_error_code()` is then `code` of that dict (KeyError if it has none) or "Unknown".
 */
export const PYTHON_SDK_VERSION = '1.9.41';
const USER_AGENT = `cos-python-sdk-v5.${PYTHON_SDK_VERSION}`;

/** A dict as `xmltodict.unparse` writes it: elements in key order, lists as repeated elements. */
export type XmlDict = { [key: string]: string | number | XmlDict | Array<string | XmlDict> };

export interface PythonSdkConfig {
  readonly secretId: string;
  readonly secretKey: string;
  /** `Domain`: host[:port] every request goes to. */
  readonly domain?: string;
  /** `IP` and `Port` (with `Region`), instead of a Domain. */
  readonly ip?: string;
  readonly port?: number;
  readonly region?: string;
  /** The `Bucket` every call names; only the IP form sends it (in Host). */
  readonly bucket?: string;
  readonly scheme?: 'http' | 'https';
  /** How far this client's clock is off (seconds): the SDK signs with `time.time()`. */
  readonly clockOffsetSeconds?: number;
}

export interface SentRequest {
  readonly method: string;
  /** Path and query as on the request line. */
  readonly target: string;
  /** In the order sent. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
  readonly status: number;
}

/** Python's `KeyError`, as `CosServiceError.get_error_code()` raises it on a JSON answer without `code`. */
export class PythonKeyError extends Error {
  constructor(key: string) {
    super(`KeyError('${key}')`);
    this.name = 'KeyError';
  }
}

/** qcloud_cos.cos_exception.CosServiceError. */
export class CosServiceError extends Error {
  readonly digest: unknown;

  constructor(
    readonly method: string,
    readonly origin: string,
    readonly statusCode: number,
  ) {
    const digest = digestXmlOrJson(origin);
    super(typeof digest === 'string' ? digest : JSON.stringify(digest));
    this.name = 'CosServiceError';
    this.digest = digest;
  }

  private field(key: string): string {
    if (!isDict(this.digest)) return 'Unknown';
    if (!(key in this.digest)) throw new PythonKeyError(key);
    return this.digest[key] as string;
  }

  getErrorCode = () => this.field('code');
  getErrorMsg = () => this.field('message');
  getResourceLocation = () => this.field('resource');
  getRequestId = () => this.field('requestid');
  getTraceId = () => this.field('traceid');
}

const isDict = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' };
const decode = (text: string) =>
  text.replace(
    /&(lt|gt|quot|apos|amp|#\d+|#x[0-9a-f]+);/gi,
    (_entity, what: string) =>
      ENTITIES[what.toLowerCase()] ?? String.fromCodePoint(/^#x/i.test(what) ? parseInt(what.slice(2), 16) : parseInt(what.slice(1), 10)),
  );

/**
 * `getElementsByTagName(name)[0].childNodes[0].nodeValue` as minidom computes it: the text after
 * the first element of that name anywhere; null when its first child is an element; undefined
 * (Python's IndexError) when there is no such element or it has no child at all.
 */
function firstChildText(xml: string, name: string): string | null | undefined {
  const open = new RegExp(`<${name}(?:\\s[^>]*?)?(/?)>`).exec(xml);
  if (!open || open[1] === '/') return undefined;
  const rest = xml.slice(open.index + open[0].length);
  const text = /^[^<]*/.exec(rest)![0];
  if (text) return decode(text);
  return rest.startsWith(`</${name}`) ? undefined : null;
}

const INVALID = 'Response Error Msg Is INVALID';

/** cos_exception.digest_xml: every one of Code, Message, Resource, RequestId must have text. */
function digestXml(data: string): Record<string, string | null> | string {
  if (!/^\s*(<\?xml[^>]*\?>\s*)?<[A-Za-z_]/.test(data)) return INVALID;
  const fields: Record<string, string | null> = {};
  for (const [key, tag] of [
    ['code', 'Code'],
    ['message', 'Message'],
    ['resource', 'Resource'],
    ['requestid', 'RequestId'],
  ] as const) {
    const text = firstChildText(data, tag);
    if (text === undefined) return INVALID;
    fields[key] = text;
  }
  if (new RegExp('<TraceId[\\s>/]').test(data)) {
    const trace = firstChildText(data, 'TraceId');
    if (trace === undefined) return INVALID;
    fields.traceid = trace;
  } else fields.traceid = 'Unknown';
  return fields;
}

function digestXmlOrJson(data: string): unknown {
  const xml = digestXml(data);
  if (isDict(xml)) return xml;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return INVALID;
  }
}

/** Python's `quote(value, safe)`: every byte but letters, digits, `_.-~` and `safe` as %XX. */
function quote(value: string, safe = ''): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const character = String.fromCharCode(byte);
    out +=
      /[A-Za-z0-9_.~-]/.test(character) || safe.includes(character) ? character : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `quote_plus`, as requests encodes query parameters. */
const quotePlus = (value: string) => quote(value, ' ').replaceAll(' ', '+');

/** urlparse(url).hostname: lower case, port and IPv6 brackets dropped. */
function hostnameOf(domain: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(domain);
  return (bracketed ? bracketed[1]! : domain.replace(/:\d*$/, '')).toLowerCase();
}

const hexSha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');
const hmacSha1 = (key: string, text: string) => createHmac('sha1', key).update(text, 'utf8').digest('hex');

const SIGNED_HEADERS = new Set([
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-type',
  'content-md5',
  'content-length',
  'expect',
  'expires',
  'host',
  'if-match',
  'if-modified-since',
  'if-none-match',
  'if-unmodified-since',
  'origin',
  'range',
  'transfer-encoding',
  'pic-operations',
]);

/** Python sorts (key, value) tuples. */
const byKeyThenValue = (a: [string, string], b: [string, string]) =>
  a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;

/** xmltodict.unparse({root: data}), as format_xml writes a request body. */
function unparse(root: string, data: XmlDict): string {
  const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  const element = (name: string, value: XmlDict[string]): string => {
    if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
    if (typeof value === 'object')
      return `<${name}>${Object.entries(value)
        .map(([key, inner]) => element(key, inner))
        .join('')}</${name}>`;
    return `<${name}>${escape(String(value))}</${name}>`;
  };
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, data)}`;
}

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: false, processEntities: true });

/** xml_to_dict: the root's children as a dict (repeated names as lists, leaves as text). */
function xmlToDict(data: string): Record<string, unknown> {
  const parsed = parser.parse(data) as Record<string, unknown>;
  const rootName = Object.keys(parsed).find((key) => key !== '?xml')!;
  const root = parsed[rootName];
  return isDict(root) ? root : { [rootName]: root === '' ? null : root };
}

/** format_dict: the named keys always lists. */
function formatDict(data: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  for (const key of keys) {
    if (!(key in data)) continue;
    const value = data[key];
    if (value === null || value === '') data[key] = [];
    else if (!Array.isArray(value)) data[key] = [value];
  }
  return data;
}

interface Call {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The `path` the SDK builds, before quoting: what it signs. */
  readonly path: string;
  /** In the order the SDK puts them in its params dict (requests keeps it). */
  readonly params?: ReadonlyArray<readonly [string, string]>;
  /** `ContentType=…` as the SDK's demos pass it (mapped to Content-Type). */
  readonly contentType?: string;
  readonly body?: string;
  /** ci_cancel_jobs appends `?cancel` to the URL itself, outside the signed params. */
  readonly urlSuffix?: string;
}

export class PythonCosClient {
  readonly sent: SentRequest[] = [];

  constructor(readonly config: PythonSdkConfig) {}

  /** Where the connection goes, the Host the SDK sets itself (IP form), and the Host http.client adds (Domain form). */
  private target(): { hostname: string; port: number; sdkHost?: string; clientHost?: string } {
    const { domain, ip, port, region, bucket, scheme } = this.config;
    const defaultPort = scheme === 'https' ? 443 : 80;
    if (ip) return { hostname: ip, port: port ?? defaultPort, sdkHost: `${bucket}.cos.${region}.myqcloud.com` };
    if (!domain) throw new Error('configure a domain, or an ip with a port');
    const explicit = /:(\d+)$/.exec(domain)?.[1];
    return { hostname: hostnameOf(domain), port: explicit ? Number(explicit) : defaultPort, clientHost: domain };
  }

  private now(): number {
    return Math.floor(Date.now() / 1000) + (this.config.clockOffsetSeconds ?? 0);
  }

  /** CosS3Auth.__call__. */
  private authorization(
    method: string,
    path: string,
    headers: ReadonlyArray<readonly [string, string]>,
    params: ReadonlyArray<readonly [string, string]>,
  ): string {
    const signedHeaders = new Map<string, string>();
    for (const [name, value] of headers)
      if (SIGNED_HEADERS.has(name.toLowerCase()) || /^x-c(os|i)-/i.test(name)) signedHeaders.set(name, value);
    if (![...signedHeaders.keys()].some((name) => name.toLowerCase() === 'host'))
      signedHeaders.set('host', this.target().hostname.toLowerCase());
    const encoded = (pairs: Iterable<readonly [string, string]>) =>
      [...pairs].map(([key, value]) => [quote(key).toLowerCase(), quote(value)] as [string, string]).sort(byKeyThenValue);
    const headerPairs = encoded(signedHeaders);
    const paramPairs = encoded(params);
    const formatString = `${method.toLowerCase()}\n${path}\n${paramPairs.map(([key, value]) => `${key}=${value}`).join('&')}\n${headerPairs.map(([key, value]) => `${key}=${value}`).join('&')}\n`;
    const start = this.now();
    const signTime = `${start - 60};${start + 10000}`;
    const stringToSign = `sha1\n${signTime}\n${hexSha1(formatString)}\n`;
    const signature = hmacSha1(hmacSha1(this.config.secretKey, signTime), stringToSign);
    return (
      `q-sign-algorithm=sha1&q-ak=${this.config.secretId}&q-sign-time=${signTime}&q-key-time=${signTime}` +
      `&q-header-list=${headerPairs.map(([key]) => key).join(';')}&q-url-param-list=${paramPairs.map(([key]) => key).join(';')}&q-signature=${signature}`
    );
  }

  private async once(
    call: Call,
    retry: boolean,
  ): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
    const params = call.params ?? [];
    const query = params.map(([key, value]) => `${quotePlus(key)}=${quotePlus(value)}`).join('&');
    const target = `/${quote(call.path.replace(/^\//, ''), '/').replaceAll('./', '.%2F')}${call.urlSuffix ?? ''}${query ? `?${query}` : ''}`;
    const body = call.body === undefined ? undefined : Buffer.from(call.body, 'utf8');
    // requests' session defaults, then the SDK's headers, then what prepare_body and prepare_auth add.
    const headers: Array<[string, string]> = [
      ['User-Agent', USER_AGENT],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
    ];
    if (retry) headers.push(['x-cos-sdk-retry', 'true']);
    if (call.contentType !== undefined) headers.push(['Content-Type', call.contentType]);
    const { hostname, port, sdkHost, clientHost } = this.target();
    if (sdkHost) headers.push(['Host', sdkHost]);
    if (body) headers.push(['Content-Length', String(body.length)]);
    else if (call.method !== 'GET') headers.push(['Content-Length', '0']);
    headers.push(['Authorization', this.authorization(call.method, `/${call.path.replace(/^\//, '')}`, headers, params)]);
    // Without a Host of the SDK's, http.client puts one first: the Domain as given, port included.
    const sentHeaders: Array<[string, string]> = clientHost ? [['Host', clientHost], ...headers] : headers;
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: hostname,
          port,
          method: call.method,
          path: target,
          headers: sentHeaders.flat(),
          setHost: false,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            this.sent.push({ method: call.method, target, headers: sentHeaders, body: call.body ?? '', status });
            resolve({ status, headers: response.headers, text });
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
  }

  /** send_request: 2xx/3xx returned, 4xx raised at once, 5xx tried up to 3 more times. */
  private async send(call: Call): Promise<string> {
    let answer = await this.once(call, false);
    for (let attempt = 1; attempt <= 3 && answer.status >= 500; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
      answer = await this.once(call, true);
    }
    if (answer.status < 400) return answer.text;
    const code = answer.headers['x-cos-error-code'];
    if (typeof code === 'string') throw new CosServiceError(call.method, JSON.stringify({ code, message: answer.text }), answer.status);
    throw new CosServiceError(call.method, answer.text === '' ? JSON.stringify(answer.headers) : answer.text, answer.status);
  }

  /** ci_create_media_pic_jobs: POST /pic_jobs. */
  async ciCreateMediaPicJobs(jobs: XmlDict, options: { contentType?: string } = {}) {
    const text = await this.send({ method: 'POST', path: '/pic_jobs', body: unparse('Request', jobs), ...options });
    return formatDict(xmlToDict(text), ['JobsDetail']);
  }

  /** ci_create_media_jobs: POST /jobs. */
  async ciCreateMediaJobs(jobs: XmlDict, options: { contentType?: string } = {}) {
    const text = await this.send({ method: 'POST', path: '/jobs', body: unparse('Request', jobs), ...options });
    return formatDict(xmlToDict(text), ['JobsDetail']);
  }

  /** ci_get_media_pic_jobs: GET /pic_jobs/<ids>. */
  async ciGetMediaPicJobs(jobIds: string, options: { contentType?: string } = {}) {
    return formatDict(xmlToDict(await this.send({ method: 'GET', path: `/pic_jobs/${jobIds}`, ...options })), ['JobsDetail']);
  }

  /** ci_get_media_jobs: GET /jobs/<ids>. */
  async ciGetMediaJobs(jobIds: string, options: { contentType?: string } = {}) {
    return formatDict(xmlToDict(await this.send({ method: 'GET', path: `/jobs/${jobIds}`, ...options })), ['JobsDetail']);
  }

  /** ci_list_media_pic_jobs (through ci_list_media_jobs with Path='/pic_jobs'), with its defaults. */
  async ciListMediaPicJobs(
    tag: string,
    options: {
      queueId?: string;
      startCreationTime?: string;
      endCreationTime?: string;
      orderByTime?: string;
      states?: string;
      size?: number;
      nextToken?: string;
      contentType?: string;
    } = {},
  ) {
    const params: Array<[string, string]> = [
      ['tag', tag],
      ['orderByTime', options.orderByTime ?? 'Desc'],
      ['states', options.states ?? 'All'],
      ['size', String(options.size ?? 10)],
      ['nextToken', options.nextToken ?? ''],
    ];
    if (options.queueId !== undefined) params.push(['queueId', options.queueId]);
    if (options.startCreationTime !== undefined) params.push(['startCreationTime', options.startCreationTime]);
    if (options.endCreationTime !== undefined) params.push(['endCreationTime', options.endCreationTime]);
    const text = await this.send({
      method: 'GET',
      path: '/pic_jobs',
      params,
      ...(options.contentType ? { contentType: options.contentType } : {}),
    });
    return formatDict(xmlToDict(text), ['JobsDetail']);
  }

  /** ci_get_media_pic_queue (through ci_get_media_queue with UrlPath='/picqueue'), with its defaults. */
  async ciGetMediaPicQueue(
    options: { state?: string; queueIds?: string; pageNumber?: string; pageSize?: string; contentType?: string } = {},
  ) {
    const params: Array<[string, string]> = [
      ['queueIds', options.queueIds ?? ''],
      ['state', options.state ?? 'All'],
      ['pageNumber', options.pageNumber ?? ''],
      ['pageSize', options.pageSize ?? ''],
    ];
    const text = await this.send({
      method: 'GET',
      path: '/picqueue',
      params,
      ...(options.contentType ? { contentType: options.contentType } : {}),
    });
    return formatDict(xmlToDict(text), ['QueueList']);
  }

  /** ci_update_media_pic_queue: PUT /picqueue/<id>. */
  async ciUpdateMediaPicQueue(queueId: string, request: XmlDict, options: { contentType?: string } = {}) {
    const text = await this.send({ method: 'PUT', path: `/picqueue/${queueId}`, body: unparse('Request', request), ...options });
    return formatDict(xmlToDict(text), ['Queue']);
  }

  /** ci_cancel_jobs: PUT /jobs/<id>?cancel, `cancel` not signed; answers ''. */
  async ciCancelJobs(jobId: string, options: { contentType?: string } = {}): Promise<string> {
    await this.send({ method: 'PUT', path: `/jobs/${jobId}`, urlSuffix: '?cancel', ...options });
    return '';
  }
}

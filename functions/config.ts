import { portOf, type OutboundPolicy } from './core/outbound-url.ts';

/**
 * Settings read from the environment. Read on every call rather than once at import, so the
 * local stack and tests can start handlers before they set the environment.
 */

/** The stack's own endpoints: the emulators or LocalStack, the public file server, the API itself. */
const OWN_ENDPOINTS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_SQS',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_KMS',
  'TESSERA_PUBLIC_BASE_URL',
  'TESSERA_API_URL',
];

const int = (name: string, fallback: number, least = 0): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be an integer of at least ${least}, got "${raw}"`);
  return value;
};

export const config = {
  /**
   * Where `source` and callback URLs may go. TESSERA_ALLOW_LOOPBACK_URLS=1 (local development
   * only) lets them reach 127.0.0.0/8 and ::1, except the ports of the stack's own endpoints.
   */
  outboundPolicy: (): OutboundPolicy => ({
    allowLoopback: process.env.TESSERA_ALLOW_LOOPBACK_URLS === '1',
    reservedLoopbackPorts: OWN_ENDPOINTS.flatMap((name) => {
      const raw = process.env[name];
      if (!raw) return [];
      try {
        return [portOf(new URL(raw))];
      } catch {
        return [];
      }
    }),
  }),
  sourceMaxBytes: () => int('TESSERA_SOURCE_MAX_BYTES', 512 * 1024 * 1024),
  sourceTimeoutMs: () => int('TESSERA_SOURCE_TIMEOUT_MS', 25_000),
  sourceMaxRedirects: () => int('TESSERA_SOURCE_MAX_REDIRECTS', 5),
  downloadUrlTtlSeconds: () => int('TESSERA_DOWNLOAD_URL_TTL_SECONDS', 7 * 24 * 3600),
  /** The API's own public hostnames (the CloudFront distribution's): signatures are checked against them when the edge forwards one. */
  apiHosts: (): string[] =>
    (process.env.TESSERA_API_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  /** How long an in-flight write holds a name before another request may take it over. */
  writeLeaseMs: () => int('TESSERA_WRITE_LEASE_MS', 120_000),
};

export const ostConfig = {
  /** How long an upload session stays open (seconds); after that it answers 10005. */
  sessionTtlSeconds: () => int('TESSERA_OST_SESSION_TTL_SECONDS', 24 * 3600),
  /** Lifetime of the presigned UploadPart URLs handed out for presigned slices. */
  partUrlTtlSeconds: () => int('TESSERA_OST_PART_URL_TTL_SECONDS', 3600),
};

export const workerConfig = {
  /** How long a worker holds a task before another may take it over (shorter than the queue's visibility). */
  leaseMs: () => int('TESSERA_WORKER_LEASE_MS', 150_000),
  /** After this many takeovers (workers that died on it) the task fails instead of being tried again. */
  maxAttempts: () => int('TESSERA_WORKER_MAX_ATTEMPTS', 3),
  /** Inputs larger than this are refused before they are read (Tencent's 32 MB). */
  maxInputBytes: () => int('TESSERA_MAX_INPUT_BYTES', 32 * 1024 * 1024),
};

export const callbackConfig = {
  /** Delivery attempts before a callback is recorded as failed. */
  maxAttempts: () => int('TESSERA_CALLBACK_MAX_ATTEMPTS', 8),
  /** First retry delay; each retry doubles it, capped at SQS's 900 s (5 s … 640 s: about 21 minutes in all). */
  baseDelaySeconds: () => int('TESSERA_CALLBACK_BASE_DELAY_SECONDS', 5),
  timeoutMs: () => int('TESSERA_CALLBACK_TIMEOUT_MS', 10_000),
};

/**
 * The largest panorama accepted unless TESSERA_PANORAMA_MAX_PIXELS says otherwise: 32768×16384
 * (537 MP). The worker's memory and scratch space are sized for one build of it (functions/consumers.ts).
 */
export const PANORAMA_MAX_PIXELS = 32768 * 16384;

export const panoramaConfig = {
  /** Quality of every level and the fallback when the request names none (the seed's example: 90). */
  defaultQuality: () => int('TESSERA_PANORAMA_QUALITY', 90),
  /** Inputs with more pixels are refused from their header, before any decode. */
  maxInputPixels: () => int('TESSERA_PANORAMA_MAX_PIXELS', PANORAMA_MAX_PIXELS),
  /** Inputs larger than this are refused before the worker reads them. */
  maxInputBytes: () => int('TESSERA_PANORAMA_MAX_BYTES', 256 * 1024 * 1024),
  /** Where public namespaces are served (CloudFront in AWS, the local file server in npm start); empty: not published. */
  publicBaseUrl: () => process.env.TESSERA_PUBLIC_BASE_URL ?? '',
  /** How long a build waits for another build of its name to give the set back, before its message is sent again for later. */
  setWaitMs: () => int('TESSERA_PANORAMA_SET_WAIT_MS', 30_000),
  /** When a build whose set stayed busy is tried again (its message's delay, up to SQS's 900). */
  setBusyDelaySeconds: () => int('TESSERA_PANORAMA_SET_BUSY_DELAY_SECONDS', 60),
};

export const tokenConfig = {
  /** VK Cloud's access tokens live one hour. */
  accessTokenTtlSeconds: () => int('TESSERA_ACCESS_TOKEN_TTL_SECONDS', 3600, 1),
  /** Each refresh token lives this long from its issue; using it issues the next for as long again. */
  refreshTokenTtlSeconds: () => int('TESSERA_REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600, 1),
};

export const bodyConfig = {
  /**
   * The largest request a largeBodies route takes (routes.ts), streamed, never held whole: a
   * 64 MiB file with room for its form fields.
   */
  maxLargeBodyBytes: () => int('TESSERA_MAX_BODY_BYTES', 65 * 1024 * 1024, 1),
};

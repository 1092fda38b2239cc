/**
 * Errors the core raises, by kind. Each dialect maps a kind onto its own envelope and status,
 * so the core never needs to know which wire format a request came in on.
 */
export type ErrorKind =
  'invalid-input' | 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'upstream' | 'internal';

export class TesseraError extends Error {
  /** A finer reason a dialect may show in its own code field (e.g. COS's SignatureExpired). */
  readonly reason?: string;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown; reason?: string },
  ) {
    super(message, options);
    this.name = 'TesseraError';
    if (options?.reason) this.reason = options.reason;
  }
}

export const invalidInput = (message: string, reason?: string) => new TesseraError('invalid-input', message, { reason });
export const unauthenticated = (message: string, reason?: string) => new TesseraError('unauthenticated', message, { reason });
export const forbidden = (message: string) => new TesseraError('forbidden', message);
export const notFound = (message: string, reason?: string) => new TesseraError('not-found', message, { reason });
export const conflict = (message: string, reason?: ConflictReason) => new TesseraError('conflict', message, { reason });
export const tooLarge = (message: string) => new TesseraError('too-large', message);

const mebibytes = (bytes: number) => `${Number((bytes / 1024 / 1024).toFixed(2))} MiB`;

/**
 * A request body over its route's limit, in the same words wherever it is caught (the edge, the
 * servers, the kit): dialects add their own advice (ost names the sliced and presigned ways round).
 */
export const bodyTooLarge = (limit: number) =>
  tooLarge(`request body is larger than ${limit} bytes (${mebibytes(limit)}), the limit of this route`);
export const upstream = (message: string, cause?: unknown) => new TesseraError('upstream', message, { cause });

/**
 * Why a request conflicts with what is stored: the state does not allow it, another request is
 * changing the same thing, or the name is taken. Dialects with codes for these show them.
 */
export type ConflictReason = 'StateNotAllowed' | 'Busy' | 'Duplicate';

export const isTesseraError = (error: unknown): error is TesseraError => error instanceof TesseraError;

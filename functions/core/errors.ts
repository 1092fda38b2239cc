/**
 * Errors the core raises, by kind. Each dialect maps a kind onto its own envelope and status,
 * so the core never needs to know which wire format a request came in on.
 */
export type ErrorKind =
  | 'invalid-input'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'upstream'
  | 'internal';

export class TesseraError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TesseraError';
  }
}

export const invalidInput = (message: string) => new TesseraError('invalid-input', message);
export const unauthenticated = (message: string) => new TesseraError('unauthenticated', message);
export const forbidden = (message: string) => new TesseraError('forbidden', message);
export const notFound = (message: string) => new TesseraError('not-found', message);
export const conflict = (message: string) => new TesseraError('conflict', message);
export const tooLarge = (message: string) => new TesseraError('too-large', message);
export const upstream = (message: string, cause?: unknown) => new TesseraError('upstream', message, { cause });

export const isTesseraError = (error: unknown): error is TesseraError => error instanceof TesseraError;

/** A job that cannot succeed (bad input, not an image): it ends Failed with this code, and is not retried. */
export class JobFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'JobFailure';
  }
}

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

/** The task was stopped (or taken from this worker) while it ran: the work ends here, writing nothing more. */
export class TaskStopped extends Error {
  override readonly name = 'TaskStopped';
}

/** Thrown to leave a message on its queue for later: another worker holds the task, or what it writes, right now. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

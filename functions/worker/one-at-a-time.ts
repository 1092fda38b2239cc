/**
 * Runs the functions given to it one after another, in call order, whatever each one's outcome:
 * for work too big to run twice at once in one process.
 */
export function oneAtATime(): <T>(work: () => Promise<T>) => Promise<T> {
  let previous: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = previous.then(work, work);
    previous = next.catch(() => undefined);
    return next;
  };
}

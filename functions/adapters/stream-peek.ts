import { PassThrough, type Readable } from 'node:stream';

/**
 * Reads the first `bytes` of a stream (fewer if it ends sooner) and hands back a stream that
 * still yields everything from the start, so a header can be checked before the body is stored.
 */
export async function peekStream(source: Readable, bytes: number): Promise<{ head: Buffer; stream: Readable }> {
  const chunks: Buffer[] = [];
  let length = 0;
  const iterator = source[Symbol.asyncIterator]();
  let ended = false;
  while (length < bytes) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = Buffer.from(next.value as Uint8Array);
    chunks.push(chunk);
    length += chunk.length;
  }
  const head = Buffer.concat(chunks);
  const stream = new PassThrough();
  stream.write(head);
  if (ended) {
    stream.end();
  } else {
    void (async () => {
      try {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          if (!stream.write(next.value)) await new Promise((resolve) => stream.once('drain', resolve));
        }
        stream.end();
      } catch (error) {
        stream.destroy(error as Error);
      }
    })();
  }
  return { head: head.subarray(0, Math.min(bytes, head.length)), stream };
}

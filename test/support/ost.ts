import { createHash, randomBytes } from 'node:crypto';
import { OstClient } from '../../cli/ost-client.ts';

export const MiB = 1024 * 1024;
export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

export function slicesOf(file: Buffer, sliceSize: number): Array<{ sliceId: number; data: Buffer }> {
  const slices = [];
  for (let offset = 0, sliceId = 1; offset < file.length; offset += sliceSize, sliceId++) {
    slices.push({ sliceId, data: file.subarray(offset, offset + sliceSize) });
  }
  return slices;
}

/** Fisher–Yates with a fixed seed, so a failing order can be replayed. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const result = [...items];
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (let index = result.length - 1; index > 0; index--) {
    const other = Math.floor(next() * (index + 1));
    [result[index], result[other]] = [result[other]!, result[index]!];
  }
  return result;
}

export const randomFile = (bytes: number) => randomBytes(bytes);

export async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

export const sendSlice = (client: OstClient, uploadId: string, sliceId: number | string, data: Buffer) =>
  client.multipart('/file/mpupload/upload', { upload_id: uploadId, slice_id: String(sliceId) }, { name: 'data', data });

export async function init(client: OstClient): Promise<string> {
  return OstClient.ok(await client.json<{ upload_id: string }>('/file/mpupload/init', {})).data!.upload_id;
}

/** Runs tasks with at most `limit` in flight. */
export async function inParallel<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, tasks.length) }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]!();
      }
    }),
  );
  return results;
}

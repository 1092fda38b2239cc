/** One slice's presigned PUT URL, as /file/mpupload/presign answers it. */
export interface SignedSlice {
  readonly slice_id: number;
  readonly url: string;
  readonly expires_at: string;
}

/** Slices presigned per request: one request serves the next 100 slices' workers. */
export const PRESIGN_BATCH = 100;
/** A URL this close to expiry is signed again rather than risked on a slow PUT. */
const URL_MARGIN_MS = 60_000;

/**
 * The presigned URLs an uploader's parallel workers PUT slices to (the CLI's and the console's):
 * asked for in batches, one batch request at a time serving every worker that waits for it, and
 * signed again near expiry or after S3 refused one (`forget`).
 */
export function presignedSliceUrls(options: {
  /** The slices to sign in the batch that starts with this one. */
  readonly batchFrom: (sliceId: number) => number[];
  readonly presign: (sliceIds: number[]) => Promise<readonly SignedSlice[]>;
}): { urlFor(sliceId: number): Promise<string>; forget(sliceId: number): void } {
  const urls = new Map<number, { url: string; expiresAt: number }>();
  let presigning: Promise<void> | undefined;
  const presign = async (from: number) => {
    for (const entry of await options.presign(options.batchFrom(from))) {
      urls.set(entry.slice_id, { url: entry.url, expiresAt: Date.parse(entry.expires_at) });
    }
  };
  const urlFor = async (sliceId: number): Promise<string> => {
    const known = urls.get(sliceId);
    if (known && known.expiresAt - URL_MARGIN_MS > Date.now()) return known.url;
    presigning ??= presign(sliceId).finally(() => (presigning = undefined));
    await presigning;
    return urls.get(sliceId)?.url ?? urlFor(sliceId);
  };
  return { urlFor, forget: (sliceId) => void urls.delete(sliceId) };
}

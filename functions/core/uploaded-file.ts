/**
 * A file part of a request: held in memory, or (a large one in a streamed body) spooled to a
 * staging object of the bucket as it arrived, so no request holds a large file whole.
 */
export type UploadedFile =
  | { readonly kind: 'held'; readonly filename: string; readonly contentType: string; readonly data: Buffer }
  | { readonly kind: 'spooled'; readonly filename: string; readonly contentType: string; readonly key: string; readonly size: number };

export const sizeOf = (file: UploadedFile): number => (file.kind === 'held' ? file.data.length : file.size);

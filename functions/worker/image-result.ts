/** What a stage leaves: the encoded bytes and the facts a job's result reports about them. */
export interface ImageResult {
  readonly data: Buffer;
  readonly format: string;
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly quality?: number;
}

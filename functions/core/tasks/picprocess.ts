/** An object a job reads or writes: its key in the bucket, and the address the client gave it by. */
export interface ObjectRef {
  readonly key: string;
  /** How the client named the object (a COS bucket, region and object name), echoed in answers. */
  readonly address: { readonly bucket: string; readonly region: string; readonly object: string };
}

/** An image-processing job: one rule (imageMogr2 and the processors piped after it) run on one object, written to another. */
export interface PicProcessSpec {
  readonly input: ObjectRef;
  readonly output: ObjectRef;
  readonly rule: string;
  /** The object key of each watermark image the rule names, by its reference in the rule; resolved and checked at submit. */
  readonly overlays?: Readonly<Record<string, string>>;
  /** Whether the result describes the original too. */
  readonly describeOriginal: boolean;
  readonly template?: { readonly id: string; readonly name: string };
  /** The client's own note, given back unchanged. */
  readonly userData?: string;
}

export interface ImageFacts {
  readonly format: string;
  readonly width: number;
  readonly height: number;
  /** JPEG quality as encoded (read from the quantisation tables), when it is known. */
  readonly quality?: number;
}

/** What a finished job made, and (when asked) what it started from. */
export interface PicProcessResult {
  readonly output: ImageFacts & { readonly etag: string; readonly size: number };
  readonly original?: ImageFacts & {
    readonly etag: string;
    readonly orientation: number;
    /** The average colour, 0xRRGGBB. */
    readonly averageColour: string;
  };
}

/** A parsed imageMogr2 rule: what to do, validated, before any image is seen. */

export const GRAVITIES = ['northwest', 'north', 'northeast', 'west', 'center', 'east', 'southwest', 'south', 'southeast'] as const;
export type Gravity = (typeof GRAVITIES)[number];

export const OUTPUT_FORMATS = ['jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export type ThumbnailSpec =
  | { readonly kind: 'percent'; readonly percent: number }
  | { readonly kind: 'percentWidth'; readonly percent: number }
  | { readonly kind: 'percentHeight'; readonly percent: number }
  | { readonly kind: 'width'; readonly width: number }
  | { readonly kind: 'height'; readonly height: number }
  | { readonly kind: 'fit'; readonly width: number; readonly height: number; readonly only?: 'shrink' | 'enlarge' }
  | { readonly kind: 'cover'; readonly width: number; readonly height: number }
  | { readonly kind: 'exact'; readonly width: number; readonly height: number }
  | { readonly kind: 'area'; readonly area: number };

export interface CropSpec {
  /** Undefined keeps the input's width (crop/x<H>) or height (crop/<W>x). */
  readonly width?: number;
  readonly height?: number;
  /** Qiniu's signed offsets (crop/!WxHa10-20); otherwise 0,0 from the gravity anchor. */
  readonly dx: number;
  readonly dy: number;
}

export type Operation =
  | { readonly op: 'thumbnail'; readonly spec: ThumbnailSpec }
  | { readonly op: 'crop'; readonly spec: CropSpec }
  | { readonly op: 'cut'; readonly width: number; readonly height: number; readonly dx: number; readonly dy: number }
  | { readonly op: 'rotate'; readonly degrees: number }
  | { readonly op: 'autoOrient' }
  | { readonly op: 'flip'; readonly direction: 'vertical' | 'horizontal' }
  | { readonly op: 'blur'; readonly radius: number; readonly sigma: number }
  | { readonly op: 'sharpen'; readonly amount: number }
  | { readonly op: 'grayscale' }
  | { readonly op: 'bright'; readonly value: number }
  | { readonly op: 'contrast'; readonly value: number };

export type QualitySetting =
  | { readonly mode: 'absolute'; readonly value: number }
  | { readonly mode: 'forced'; readonly value: number }
  | { readonly mode: 'relative'; readonly value: number }
  | { readonly mode: 'floor'; readonly value: number };

/** One `imageMogr2/…` between pipes: operations in order, and settings for the whole stage. */
export interface Stage {
  readonly operations: readonly Operation[];
  readonly gravity: Gravity;
  readonly format?: OutputFormat;
  readonly quality?: QualitySetting;
  readonly strip: boolean;
  readonly interlace: boolean;
  readonly ignoreError: boolean;
}

export interface Plan {
  readonly rule: string;
  readonly stages: readonly Stage[];
}

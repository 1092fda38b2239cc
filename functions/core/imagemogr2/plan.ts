/** A parsed CI rule (imageMogr2 and the processors reachable through `|`): what to do, validated, before any image is seen. */

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
  | { readonly op: 'contrast'; readonly value: number }
  | { readonly op: 'iradius'; readonly radius: number }
  | { readonly op: 'rradius'; readonly radius: number }
  | { readonly op: 'scrop'; readonly width: number; readonly height: number };

/** A colour as the rules write it (URL-safe Base64 of `#RRGGBB` or `#RRGGBBAA`, or a name); alpha 0–255. */
export interface Colour {
  readonly red: number;
  readonly green: number;
  readonly blue: number;
  readonly alpha: number;
}

export type QualitySetting =
  | { readonly mode: 'absolute'; readonly value: number }
  | { readonly mode: 'forced'; readonly value: number }
  | { readonly mode: 'relative'; readonly value: number }
  | { readonly mode: 'floor'; readonly value: number };

/** One `imageMogr2/…` between pipes: operations in order, and settings for the whole stage. */
export interface MogrStage {
  readonly processor: 'imageMogr2';
  readonly operations: readonly Operation[];
  readonly gravity: Gravity;
  readonly format?: OutputFormat;
  readonly quality?: QualitySetting;
  readonly strip: boolean;
  readonly interlace: boolean;
  readonly ignoreError: boolean;
  /** pad/1: a thumbnail into a W×H box fills the rest of the box with this colour (color/…). */
  readonly pad?: Colour;
  /** What transparent pixels become where the output has no alpha, and what a free rotation fills with. */
  readonly background?: Colour;
  /** size-limit/<n>k|m: the JPEG's most bytes; `!` also keeps the input when the input is smaller. */
  readonly sizeLimit?: { readonly bytes: number; readonly keepSmallerInput: boolean };
  /** cgif/<n>: a GIF keeps at most n frames. */
  readonly cgif?: number;
  /** minisize/1: the input is kept when the result would be larger. */
  readonly minisize: boolean;
  /** density/<dpi> (dpi/<dpi>): the resolution written into the output's metadata. */
  readonly density?: number;
}

export const VIEW_MODES = [0, 1, 2, 3, 4, 5] as const;
export type ViewMode = (typeof VIEW_MODES)[number];

/** `imageView2/<mode>/w/<W>/h/<H>/…`: Qiniu's six thumbnail modes; without a mode, only a format and quality change. */
export interface ViewStage {
  readonly processor: 'imageView2';
  readonly mode?: ViewMode;
  readonly width?: number;
  readonly height?: number;
  readonly format?: OutputFormat;
  readonly quality?: QualitySetting;
  readonly interlace: boolean;
  readonly ignoreError: boolean;
}

export interface ImageMark {
  readonly kind: 'image';
  /** The watermark image as the rule names it (decoded): a URL or a name of an object of the same client. */
  readonly image: string;
  /** What a mark larger than the image becomes: scaled (1) or cropped (2) to fit it; otherwise placed as it is and clipped. */
  readonly blogo?: 1 | 2;
}

export interface TextMark {
  readonly kind: 'text';
  readonly text: string;
  /** One of the documented font names, in its canonical spelling (watermark-fonts.ts). */
  readonly font: string;
  /** Points, rendered at 72 dpi: one point is one pixel. */
  readonly fontSize: number;
  readonly fill: Colour;
  /** Shadow opacity, percent; 0 is none. */
  readonly shadow: number;
}

/** `watermark/1/image/…` or `watermark/2/text/…`: one mark, placed or tiled over the image. */
export interface WatermarkStage {
  readonly processor: 'watermark';
  readonly mark: ImageMark | TextMark;
  readonly gravity: Gravity;
  readonly dx: number;
  readonly dy: number;
  /** Opacity of the mark, percent. */
  readonly dissolve: number;
  /** scatype/spcent: the mark scaled to spcent ‰ of the input's width (1), height (2) or area (3). */
  readonly scale?: { readonly type: 1 | 2 | 3; readonly permille: number };
  /** batch/1: the mark tiled over the whole image, each turned by `degree`, `spacing` % of the mark apart. */
  readonly tile?: { readonly degree: number; readonly spacing: number };
  readonly ignoreError: boolean;
}

/** `imageInfo`: the image's facts as JSON (numbers as strings), written instead of an image; always the last stage. */
export interface InfoStage {
  readonly processor: 'imageInfo';
  readonly ignoreError: false;
}

export type Stage = MogrStage | ViewStage | WatermarkStage | InfoStage;

export interface Plan {
  readonly rule: string;
  readonly stages: readonly Stage[];
}

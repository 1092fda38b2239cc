import { OUTPUT_FORMATS, VIEW_MODES, type OutputFormat, type QualitySetting, type ViewMode, type ViewStage } from './plan.ts';
import { VIEW_QUALITY, parseQuality, renderQuality } from './quality-rule.ts';
import { fail, integer, oneOf, valueOf } from './rule-values.ts';

const MAX_SIDE = 10_000;

/** imageView2's formats: Tessera's writable ones, and Tencent's `yjpeg` ("本质为jpg格式"). */
const VIEW_FORMATS = [...OUTPUT_FORMATS, 'yjpeg'] as const;

function parseFormat(value: string): OutputFormat {
  if (value.toLowerCase() === 'bmp') fail('format "bmp" is not supported: Tessera writes jpg, jpeg, png, webp, avif, gif, tiff');
  const format = oneOf(value, VIEW_FORMATS, 'format');
  return format === 'yjpeg' ? 'jpg' : format;
}

/**
 * `imageView2/<mode>/w/<W>/h/<H>/format/<F>/q/<Q>[!]/rq/<Q>/lq/<Q>/interlace/<0|1>/ignore-error/<0|1>`,
 * from the tokens after the processor's name. The mode may be left out (Tencent's own SDK demos
 * send `imageView2/format/png`): then nothing is resized.
 */
export function parseViewStage(tokens: readonly string[]): ViewStage {
  let position = 0;
  let mode: ViewMode | undefined;
  if (tokens[0] !== undefined && /^\d+$/.test(tokens[0])) {
    mode = integer(tokens[0], 'mode', 0, VIEW_MODES.length - 1) as ViewMode;
    position = 1;
  }
  let width: number | undefined;
  let height: number | undefined;
  let format: OutputFormat | undefined;
  let quality: QualitySetting | undefined;
  let interlace = false;
  let ignoreError = false;
  for (; position < tokens.length; position++) {
    const name = tokens[position]!;
    if (name === '') fail('empty parameter name ("//")');
    const value = valueOf(name, tokens[++position]);
    switch (name) {
      case 'w':
        width = integer(value, 'w', 1, MAX_SIDE);
        break;
      case 'h':
        height = integer(value, 'h', 1, MAX_SIDE);
        break;
      case 'format':
        format = parseFormat(value);
        break;
      case 'q':
      case 'rq':
      case 'lq':
        quality = parseQuality(VIEW_QUALITY, name, value);
        break;
      case 'interlace':
      case 'ignore-error':
        if (value !== '0' && value !== '1') fail(`${name} "${value}" is not 0 or 1`);
        if (name === 'interlace') interlace = value === '1';
        else ignoreError = value === '1';
        break;
      default:
        fail(`unknown parameter "${name}"; the parameters are w, h, format, q, rq, lq, interlace, ignore-error`);
    }
  }
  if (mode !== undefined && width === undefined && height === undefined) fail(`mode ${mode} needs w, h or both`);
  if (mode === undefined && (width !== undefined || height !== undefined)) fail('w and h need a mode (imageView2/<0-5>/w/…)');
  if (mode === undefined && !format && !quality && !interlace)
    fail('the stage does nothing: give a mode with w or h, or a format or quality');
  return {
    processor: 'imageView2',
    ...(mode !== undefined ? { mode } : {}),
    ...(width !== undefined ? { width } : {}),
    ...(height !== undefined ? { height } : {}),
    ...(format ? { format } : {}),
    ...(quality ? { quality } : {}),
    interlace,
    ignoreError,
  };
}

/** The one text of a stage that parses back to it. */
export function renderViewStage(stage: ViewStage): string {
  const parts = ['imageView2'];
  if (stage.mode !== undefined) parts.push(String(stage.mode));
  if (stage.width !== undefined) parts.push(`w/${stage.width}`);
  if (stage.height !== undefined) parts.push(`h/${stage.height}`);
  if (stage.format) parts.push(`format/${stage.format}`);
  if (stage.quality) parts.push(renderQuality(VIEW_QUALITY, stage.quality));
  if (stage.interlace) parts.push('interlace/1');
  if (stage.ignoreError) parts.push('ignore-error/1');
  return parts.join('/');
}

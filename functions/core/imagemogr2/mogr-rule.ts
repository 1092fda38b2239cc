import { parseColour, renderColour } from './colour.ts';
import { CGIF_VALUES, flag, parseSizeLimit, sameColour, sizeLimitText, WHITE } from './mogr-settings.ts';
import {
  GRAVITIES,
  OUTPUT_FORMATS,
  type Colour,
  type CropSpec,
  type Gravity,
  type MogrStage,
  type Operation,
  type OutputFormat,
  type QualitySetting,
  type ThumbnailSpec,
} from './plan.ts';
import { MOGR_QUALITY, parseQuality, renderQuality } from './quality-rule.ts';
import { decimal, fail, integer, oneOf, valueOf } from './rule-values.ts';

const MAX_SIDE = 10_000;
const MAX_PERCENT = 1_000;
const MAX_AREA = 250_000_000;

/** A radius is checked against the image's size when the stage is planned (output-size.ts); this bounds what a rule may say. */
const MAX_RADIUS = MAX_SIDE / 2;
const side = (value: string, what: string) => integer(value, what, 1, MAX_SIDE);

export function parseThumbnail(value: string): ThumbnailSpec {
  let match: RegExpExecArray | null;
  if ((match = /^!([\d.]+)p$/.exec(value))) return { kind: 'percent', percent: decimal(match[1]!, 'thumbnail percentage', 0, MAX_PERCENT) };
  if ((match = /^!([\d.]+)px$/.exec(value)))
    return { kind: 'percentWidth', percent: decimal(match[1]!, 'thumbnail width percentage', 0, MAX_PERCENT) };
  if ((match = /^!x([\d.]+)p$/.exec(value)))
    return { kind: 'percentHeight', percent: decimal(match[1]!, 'thumbnail height percentage', 0, MAX_PERCENT) };
  if ((match = /^!(\d+)x(\d+)r$/.exec(value)))
    return { kind: 'cover', width: side(match[1]!, 'thumbnail width'), height: side(match[2]!, 'thumbnail height') };
  if ((match = /^(\d+)x(\d+)!$/.exec(value)))
    return { kind: 'exact', width: side(match[1]!, 'thumbnail width'), height: side(match[2]!, 'thumbnail height') };
  if ((match = /^(\d+)x(\d+)([<>]?)$/.exec(value))) {
    const only = match[3] === '>' ? 'shrink' : match[3] === '<' ? 'enlarge' : undefined;
    return {
      kind: 'fit',
      width: side(match[1]!, 'thumbnail width'),
      height: side(match[2]!, 'thumbnail height'),
      ...(only ? { only } : {}),
    };
  }
  if ((match = /^(\d+)x$/.exec(value))) return { kind: 'width', width: side(match[1]!, 'thumbnail width') };
  if ((match = /^x(\d+)$/.exec(value))) return { kind: 'height', height: side(match[1]!, 'thumbnail height') };
  if ((match = /^(\d+)@$/.exec(value))) return { kind: 'area', area: integer(match[1]!, 'thumbnail area', 1, MAX_AREA) };
  return fail(
    `thumbnail "${value}" is not one of !<S>p, !<S>px, !x<S>p, <W>x, x<H>, <W>x<H>, <W>x<H>>, <W>x<H><, !<W>x<H>r, <W>x<H>!, <Area>@`,
  );
}

export function parseCrop(value: string): CropSpec {
  let match: RegExpExecArray | null;
  if ((match = /^(\d+)x(\d+)$/.exec(value)))
    return { width: side(match[1]!, 'crop width'), height: side(match[2]!, 'crop height'), dx: 0, dy: 0 };
  if ((match = /^(\d+)x$/.exec(value))) return { width: side(match[1]!, 'crop width'), dx: 0, dy: 0 };
  if ((match = /^x(\d+)$/.exec(value))) return { height: side(match[1]!, 'crop height'), dx: 0, dy: 0 };
  if ((match = /^!(\d+)x(\d+)([a-])(\d+)([a-])(\d+)$/.exec(value))) {
    // 0 - n, not -1 × n: a2-0 means an offset of 0, never -0.
    const signed = (sign: string, amount: string, what: string) =>
      sign === '-' ? 0 - integer(amount, what, 0, MAX_SIDE) : integer(amount, what, 0, MAX_SIDE);
    return {
      width: side(match[1]!, 'crop width'),
      height: side(match[2]!, 'crop height'),
      dx: signed(match[3]!, match[4]!, 'crop x offset'),
      dy: signed(match[5]!, match[6]!, 'crop y offset'),
    };
  }
  return fail(`crop "${value}" is not one of <W>x, x<H>, <W>x<H>, !<W>x<H>a<dx>a<dy>`);
}

function parseCut(value: string): Operation {
  const match = /^(\d+)x(\d+)x(\d+)x(\d+)$/.exec(value);
  if (!match) return fail(`cut "${value}" is not <width>x<height>x<dx>x<dy>`);
  return {
    op: 'cut',
    width: side(match[1]!, 'cut width'),
    height: side(match[2]!, 'cut height'),
    dx: integer(match[3]!, 'cut x offset', 0, MAX_SIDE),
    dy: integer(match[4]!, 'cut y offset', 0, MAX_SIDE),
  };
}

function parseScrop(value: string): Operation {
  const match = /^(\d+)x(\d+)$/.exec(value);
  if (!match) return fail(`scrop "${value}" is not <W>x<H>`);
  return { op: 'scrop', width: side(match[1]!, 'scrop width'), height: side(match[2]!, 'scrop height') };
}

const padsInto = (operation: Operation) => operation.op === 'thumbnail' && operation.spec.kind === 'fit';

/** pad/1 and color/… are read apart and mean something only together, with a box to pad into. */
function padColour(pad: boolean, colour: Colour | undefined, operations: readonly Operation[]): Colour | undefined {
  if (colour && !pad) fail('color needs pad/1');
  if (!pad) return undefined;
  if (!operations.some(padsInto)) fail('pad/1 needs a thumbnail into a box (<W>x<H>, <W>x<H>> or <W>x<H><) in its stage');
  return colour ?? WHITE;
}

const ARGUMENTLESS = new Set(['auto-orient', 'strip']);

/** The operations and settings of one `imageMogr2/…` stage, from its `/`-separated tokens after the processor's name. */
export function parseMogrStage(tokens: readonly string[], index: number): MogrStage {
  const operations: Operation[] = [];
  let gravity: Gravity = 'northwest';
  let format: OutputFormat | undefined;
  let quality: QualitySetting | undefined;
  let strip = false;
  let interlace = false;
  let ignoreError = false;
  let pad = false;
  let padWith: Colour | undefined;
  let background: Colour | undefined;
  let sizeLimit: MogrStage['sizeLimit'];
  let cgif: number | undefined;
  let minisize = false;
  let density: number | undefined;
  for (let position = 0; position < tokens.length; position++) {
    const name = tokens[position]!;
    if (name === '') fail('empty operation name ("//")');
    if (ARGUMENTLESS.has(name)) {
      if (name === 'auto-orient') operations.push({ op: 'autoOrient' });
      else strip = true;
      continue;
    }
    const value = valueOf(name, tokens[++position]);
    switch (name) {
      case 'thumbnail':
        operations.push({ op: 'thumbnail', spec: parseThumbnail(value) });
        break;
      case 'crop':
        operations.push({ op: 'crop', spec: parseCrop(value) });
        break;
      case 'cut':
        operations.push(parseCut(value));
        break;
      case 'gravity':
        gravity = oneOf(value, GRAVITIES, 'gravity');
        break;
      case 'rotate':
        operations.push({ op: 'rotate', degrees: integer(value, 'rotate', 0, 360) });
        break;
      case 'flip':
        if (value !== 'vertical' && value !== 'horizontal') fail(`flip "${value}" is not vertical or horizontal`);
        operations.push({ op: 'flip', direction: value as 'vertical' | 'horizontal' });
        break;
      case 'format':
        format = oneOf(value, OUTPUT_FORMATS, 'format');
        break;
      case 'quality':
      case 'rquality':
      case 'lquality':
        quality = parseQuality(MOGR_QUALITY, name, value);
        break;
      case 'interlace':
        interlace = flag(name, value);
        break;
      case 'ignore-error':
        ignoreError = flag(name, value);
        break;
      case 'iradius':
      case 'rradius':
        operations.push({ op: name, radius: integer(value, name, 1, MAX_RADIUS) });
        break;
      case 'scrop':
        operations.push(parseScrop(value));
        break;
      case 'pad':
        pad = flag(name, value);
        break;
      case 'color':
        padWith = parseColour(value, 'color');
        break;
      case 'background':
        background = parseColour(value, 'background');
        break;
      case 'size-limit':
        sizeLimit = parseSizeLimit(value);
        break;
      case 'cgif':
        cgif = integer(value, 'cgif', CGIF_VALUES.min, CGIF_VALUES.max);
        break;
      case 'minisize':
        minisize = flag(name, value);
        break;
      case 'density':
      case 'dpi':
        density = integer(value, name, 1, 1200);
        break;
      case 'blur': {
        const match = /^(\d+)x([\d.]+)$/.exec(value);
        if (!match) fail(`blur "${value}" is not <radius>x<sigma>`);
        operations.push({ op: 'blur', radius: integer(match![1]!, 'blur radius', 1, 50), sigma: decimal(match![2]!, 'blur sigma', 0, 50) });
        break;
      }
      case 'sharpen':
        operations.push({ op: 'sharpen', amount: integer(value, 'sharpen', 10, 300) });
        break;
      case 'grayscale':
        if (flag(name, value)) operations.push({ op: 'grayscale' });
        break;
      case 'bright':
      case 'contrast': {
        if (!/^-?\d+$/.test(value) || Math.abs(Number(value)) > 100)
          fail(`${name} must be a whole number from -100 to 100, got "${value}"`);
        operations.push({ op: name, value: Number(value) });
        break;
      }
      default:
        fail(`unknown operation "${name}"`);
    }
  }
  if (tokens.length === 0) fail(`stage ${index + 1} has no operations`);
  const padding = padColour(pad, padWith, operations);
  return {
    processor: 'imageMogr2',
    operations,
    gravity,
    ...(format ? { format } : {}),
    ...(quality ? { quality } : {}),
    strip,
    interlace,
    ignoreError,
    ...(padding ? { pad: padding } : {}),
    ...(background ? { background } : {}),
    ...(sizeLimit ? { sizeLimit } : {}),
    ...(cgif !== undefined ? { cgif } : {}),
    minisize,
    ...(density !== undefined ? { density } : {}),
  };
}

function thumbnailText(spec: ThumbnailSpec): string {
  switch (spec.kind) {
    case 'percent':
      return `!${spec.percent}p`;
    case 'percentWidth':
      return `!${spec.percent}px`;
    case 'percentHeight':
      return `!x${spec.percent}p`;
    case 'width':
      return `${spec.width}x`;
    case 'height':
      return `x${spec.height}`;
    case 'fit':
      return `${spec.width}x${spec.height}${spec.only === 'shrink' ? '>' : spec.only === 'enlarge' ? '<' : ''}`;
    case 'cover':
      return `!${spec.width}x${spec.height}r`;
    case 'exact':
      return `${spec.width}x${spec.height}!`;
    case 'area':
      return `${spec.area}@`;
  }
}

function cropText(spec: CropSpec): string {
  const signed = (offset: number) => (offset < 0 ? `-${-offset}` : `a${offset}`);
  if (spec.dx !== 0 || spec.dy !== 0) return `!${spec.width}x${spec.height}${signed(spec.dx)}${signed(spec.dy)}`;
  return `${spec.width ?? ''}x${spec.height ?? ''}`;
}

function operationText(operation: Operation): string {
  switch (operation.op) {
    case 'thumbnail':
      return `thumbnail/${encodeURIComponent(thumbnailText(operation.spec))}`;
    case 'crop':
      return `crop/${cropText(operation.spec)}`;
    case 'cut':
      return `cut/${operation.width}x${operation.height}x${operation.dx}x${operation.dy}`;
    case 'rotate':
      return `rotate/${operation.degrees}`;
    case 'autoOrient':
      return 'auto-orient';
    case 'flip':
      return `flip/${operation.direction}`;
    case 'blur':
      return `blur/${operation.radius}x${operation.sigma}`;
    case 'sharpen':
      return `sharpen/${operation.amount}`;
    case 'grayscale':
      return 'grayscale/1';
    case 'bright':
    case 'contrast':
      return `${operation.op}/${operation.value}`;
    case 'iradius':
    case 'rradius':
      return `${operation.op}/${operation.radius}`;
    case 'scrop':
      return `scrop/${operation.width}x${operation.height}`;
  }
}

/** The one text of a stage that parses back to it: operations in order, then each setting that is not its default. */
export function renderMogrStage(stage: MogrStage): string {
  const parts = ['imageMogr2', ...stage.operations.map(operationText)];
  if (stage.gravity !== 'northwest') parts.push(`gravity/${stage.gravity}`);
  if (stage.format) parts.push(`format/${stage.format}`);
  if (stage.quality) parts.push(renderQuality(MOGR_QUALITY, stage.quality));
  if (stage.interlace) parts.push('interlace/1');
  if (stage.strip) parts.push('strip');
  if (stage.ignoreError) parts.push('ignore-error/1');
  if (stage.pad) parts.push(sameColour(stage.pad, WHITE) ? 'pad/1' : `pad/1/color/${renderColour(stage.pad)}`);
  if (stage.background) parts.push(`background/${renderColour(stage.background)}`);
  if (stage.sizeLimit) parts.push(`size-limit/${sizeLimitText(stage.sizeLimit.bytes)}${stage.sizeLimit.keepSmallerInput ? '!' : ''}`);
  if (stage.cgif !== undefined) parts.push(`cgif/${stage.cgif}`);
  if (stage.minisize) parts.push('minisize/1');
  if (stage.density !== undefined) parts.push(`density/${stage.density}`);
  // A stage that changes nothing (grayscale/0, say) still needs a token to parse.
  if (parts.length === 1) parts.push('ignore-error/0');
  return parts.join('/');
}

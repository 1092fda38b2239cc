import { base64Bytes } from './base64.ts';
import { decodeBase64Url, encodeBase64Url, parseColour, renderColour } from './colour.ts';
import { GRAVITIES, type Colour, type Gravity, type ImageMark, type TextMark, type WatermarkStage } from './plan.ts';
import { CONTROL_CHARACTERS, fail, integer, oneOf, valueOf } from './rule-values.ts';
import { DEFAULT_FONT, fontName } from './watermark-fonts.ts';

const MAX_OFFSET = 10_000;
/** Tessera's bounds on a text mark, so its rendering stays far below an input's pixel limit. */
const MAX_TEXT_CHARACTERS = 300;
const MAX_FONT_SIZE = 500;

const DEFAULTS = { gravity: 'southeast', dissolve: 90, fontSize: 13, spacing: 10 } as const;
const DEFAULT_FILL: Colour = { red: 0x3d, green: 0x3d, blue: 0x3d, alpha: 255 };

/** The largest spcent (‰) of each scatype: width and height up to 1000, area up to 250 (Tencent's table). */
const MAX_PERMILLE = { 1: 1000, 2: 1000, 3: 250 } as const;

const COMMON = ['gravity', 'dx', 'dy', 'dissolve', 'scatype', 'spcent', 'batch', 'spacing', 'degree', 'ignore-error'];
const ONLY = { image: ['image', 'blogo'], text: ['text', 'font', 'fontsize', 'fill', 'shadow'] } as const;

/** UTF-8 text in URL-safe or standard Base64, padded or not (every form Tencent's SDKs send). */
function decodeText(value: string, what: string): string {
  decodeBase64Url(value, what);
  const bytes = base64Bytes(value);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    fail(`${what} "${value}" does not decode to UTF-8 text`);
  }
  if (text === '') fail(`${what} "${value}" decodes to nothing`);
  if (CONTROL_CHARACTERS.test(text)) fail(`${what} "${value}" decodes to control characters`);
  return text;
}

function flag(name: string, value: string): boolean {
  if (value !== '0' && value !== '1') fail(`${name} "${value}" is not 0 or 1`);
  return value === '1';
}

/**
 * `watermark/1/image/<b64>/…` (an image mark) or `watermark/2/text/<b64>/…` (a text mark), from
 * the tokens after the processor's name. Parameters Tencent says have no effect in a position
 * (dx for north, degree without batch…) are dropped, so the plan says what will run.
 */
export function parseWatermarkStage(tokens: readonly string[]): WatermarkStage {
  const [type = '', ...pairs] = tokens;
  if (type === '3' || type === '4') fail(`blind watermarks (watermark/${type}) are not supported`);
  if (type !== '1' && type !== '2') fail(`type "${type}" is not 1 (an image) or 2 (text)`);
  const kind = type === '1' ? 'image' : 'text';
  const allowed = [...ONLY[kind], ...COMMON];
  const values = new Map<string, string>();
  for (let position = 0; position < pairs.length; position++) {
    const name = pairs[position]!;
    if (name === '') fail('empty parameter name ("//")');
    if (/^fill./.test(name)) fail(`"${name}" is not a parameter: a "/" is missing after "fill" (write fill/${name.slice(4)})`);
    if (!allowed.includes(name)) fail(`unknown parameter "${name}" for watermark/${type}; the parameters are ${allowed.join(', ')}`);
    values.set(name, valueOf(name, pairs[++position]));
  }
  const read = <T>(name: string, parse: (value: string) => T, otherwise: T): T => (values.has(name) ? parse(values.get(name)!) : otherwise);

  const gravity = read('gravity', (value) => oneOf(value, GRAVITIES, 'gravity'), DEFAULTS.gravity as Gravity);
  const horizontal = gravity !== 'center' && gravity !== 'north' && gravity !== 'south';
  const vertical = gravity !== 'center' && gravity !== 'west' && gravity !== 'east';
  const dx = read('dx', (value) => integer(value, 'dx', 0, MAX_OFFSET), 0);
  const dy = read('dy', (value) => integer(value, 'dy', 0, MAX_OFFSET), 0);
  const dissolve = read('dissolve', (value) => integer(value, 'dissolve', 1, 100), DEFAULTS.dissolve);
  const scaleType = read('scatype', (value) => integer(value, 'scatype', 1, 3) as 1 | 2 | 3, undefined);
  if (scaleType !== undefined && !values.has('spcent')) fail('scatype needs spcent');
  // spcent alone (cos-php-sdk-v5's imageWatermark.php sends it) has nothing to scale by: Tencent ignores it.
  const permille = read('spcent', (value) => integer(value, 'spcent', 1, MAX_PERMILLE[scaleType ?? 1]), 0);
  const batch = read('batch', (value) => flag('batch', value), false);
  const degree = read('degree', (value) => integer(value, 'degree', 0, 360), 0);
  const spacing = read('spacing', (value) => integer(value, 'spacing', 0, 100), DEFAULTS.spacing);
  const ignoreError = read('ignore-error', (value) => flag('ignore-error', value), false);

  const mark = kind === 'image' ? imageMark(values) : textMark(values);
  return {
    processor: 'watermark',
    mark,
    gravity,
    dx: horizontal ? dx : 0,
    dy: vertical ? dy : 0,
    dissolve,
    ...(scaleType !== undefined ? { scale: { type: scaleType, permille } } : {}),
    ...(batch ? { tile: { degree: degree % 360, spacing } } : {}),
    ignoreError,
  };
}

function imageMark(values: ReadonlyMap<string, string>): ImageMark {
  if (!values.has('image')) fail("watermark/1 needs image (the Base64 of the watermark image's URL or object name)");
  const image = decodeText(values.get('image')!, 'image');
  const blogo = values.has('blogo') ? (integer(values.get('blogo')!, 'blogo', 1, 2) as 1 | 2) : undefined;
  return { kind: 'image', image, ...(blogo ? { blogo } : {}) };
}

function textMark(values: ReadonlyMap<string, string>): TextMark {
  if (!values.has('text')) fail('watermark/2 needs text (the Base64 of the text)');
  const text = decodeText(values.get('text')!, 'text');
  if ([...text].length > MAX_TEXT_CHARACTERS) fail(`text is longer than ${MAX_TEXT_CHARACTERS} characters`);
  return {
    kind: 'text',
    text,
    font: values.has('font') ? fontName(decodeText(values.get('font')!, 'font')) : DEFAULT_FONT,
    fontSize: values.has('fontsize') ? integer(values.get('fontsize')!, 'fontsize', 1, MAX_FONT_SIZE) : DEFAULTS.fontSize,
    fill: values.has('fill') ? parseColour(values.get('fill')!, 'fill') : DEFAULT_FILL,
    shadow: values.has('shadow') ? integer(values.get('shadow')!, 'shadow', 0, 100) : 0,
  };
}

const sameColour = (a: Colour, b: Colour) => a.red === b.red && a.green === b.green && a.blue === b.blue && a.alpha === b.alpha;

/** The one text of a stage that parses back to it: the mark, then each parameter that is not its default. */
export function renderWatermarkStage(stage: WatermarkStage): string {
  const { mark } = stage;
  const parts =
    mark.kind === 'image'
      ? ['watermark/1', `image/${encodeBase64Url(mark.image)}`, ...(mark.blogo ? [`blogo/${mark.blogo}`] : [])]
      : [
          'watermark/2',
          `text/${encodeBase64Url(mark.text)}`,
          ...(mark.font !== DEFAULT_FONT ? [`font/${encodeBase64Url(mark.font)}`] : []),
          ...(mark.fontSize !== DEFAULTS.fontSize ? [`fontsize/${mark.fontSize}`] : []),
          ...(sameColour(mark.fill, DEFAULT_FILL) ? [] : [`fill/${renderColour(mark.fill)}`]),
          ...(mark.shadow ? [`shadow/${mark.shadow}`] : []),
        ];
  if (stage.gravity !== DEFAULTS.gravity) parts.push(`gravity/${stage.gravity}`);
  if (stage.dx) parts.push(`dx/${stage.dx}`);
  if (stage.dy) parts.push(`dy/${stage.dy}`);
  if (stage.dissolve !== DEFAULTS.dissolve) parts.push(`dissolve/${stage.dissolve}`);
  if (stage.scale) parts.push(`scatype/${stage.scale.type}/spcent/${stage.scale.permille}`);
  if (stage.tile) {
    parts.push('batch/1');
    if (stage.tile.degree) parts.push(`degree/${stage.tile.degree}`);
    if (stage.tile.spacing !== DEFAULTS.spacing) parts.push(`spacing/${stage.tile.spacing}`);
  }
  if (stage.ignoreError) parts.push('ignore-error/1');
  return parts.join('/');
}

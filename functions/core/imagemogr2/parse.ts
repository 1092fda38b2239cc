import { invalidInput } from '../errors.ts';
import {
  GRAVITIES,
  OUTPUT_FORMATS,
  type CropSpec,
  type Gravity,
  type Operation,
  type OutputFormat,
  type Plan,
  type QualitySetting,
  type Stage,
  type ThumbnailSpec,
} from './plan.ts';

export const MAX_STAGES = 10;
const MAX_SIDE = 10_000;
const MAX_PERCENT = 1_000;
const MAX_AREA = 250_000_000;

const fail = (message: string): never => {
  throw invalidInput(`invalid imageMogr2 rule: ${message}`);
};

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/u;

const NOT_YET = new Set(['iradius', 'rradius', 'scrop', 'pad', 'color', 'size-limit', 'cgif', 'minisize', 'dpi', 'density', 'background']);

function integer(value: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) fail(`${what} must be a whole number, got "${value}"`);
  const number = Number(value);
  if (number < min || number > max) fail(`${what} must be from ${min} to ${max}, got ${number}`);
  return number;
}

function decimal(value: string, what: string, min: number, max: number): number {
  if (!/^\d+(\.\d+)?$/.test(value)) fail(`${what} must be a number, got "${value}"`);
  const number = Number(value);
  if (number <= min || number > max) fail(`${what} must be more than ${min} and at most ${max}, got ${number}`);
  return number;
}

/** One of a fixed set of names, in any case. */
function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const lower = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(lower)) fail(`${what} "${value}" is not one of ${allowed.join(', ')}`);
  return lower as T;
}

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
    const signed = (sign: string, amount: string, what: string) => (sign === '-' ? -1 : 1) * integer(amount, what, 0, MAX_SIDE);
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

function parseQuality(name: string, value: string): QualitySetting {
  if (name === 'quality') {
    const match = /^(\d+)(!?)$/.exec(value);
    if (!match) fail(`quality "${value}" is not <0-100> or <0-100>!`);
    return { mode: match![2] ? 'forced' : 'absolute', value: integer(match![1]!, 'quality', 1, 100) };
  }
  return { mode: name === 'rquality' ? 'relative' : 'floor', value: integer(value, name, 1, 100) };
}

const ARGUMENTLESS = new Set(['auto-orient', 'strip']);

function parseStage(text: string, index: number): Stage {
  const prefix = 'imageMogr2/';
  if (!text.startsWith(prefix) && text !== 'imageMogr2') {
    const processor = text.split('/')[0] || '(empty)';
    fail(`stage ${index + 1} uses processor "${processor}"; only imageMogr2 is supported`);
  }
  const tokens = text.slice(prefix.length).split('/');
  while (tokens.length && tokens.at(-1) === '') tokens.pop();
  const operations: Operation[] = [];
  let gravity: Gravity = 'northwest';
  let format: OutputFormat | undefined;
  let quality: QualitySetting | undefined;
  let strip = false;
  let interlace = false;
  let ignoreError = false;
  for (let position = 0; position < tokens.length; position++) {
    const name = tokens[position]!;
    if (name === '') fail('empty operation name ("//")');
    if (ARGUMENTLESS.has(name)) {
      if (name === 'auto-orient') operations.push({ op: 'autoOrient' });
      else strip = true;
      continue;
    }
    if (NOT_YET.has(name)) fail(`operation "${name}" is not supported yet`);
    const raw = tokens[++position];
    if (raw === undefined || raw === '') fail(`${name} needs a value`);
    let value = raw!;
    try {
      value = decodeURIComponent(raw!);
    } catch {
      fail(`${name} value "${raw}" is not valid URL encoding`);
    }
    if (CONTROL_CHARACTERS.test(value)) fail(`${name} value "${raw}" decodes to control characters`);
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
        quality = parseQuality(name, value);
        break;
      case 'interlace':
        if (value !== '0' && value !== '1') fail(`interlace "${value}" is not 0 or 1`);
        interlace = value === '1';
        break;
      case 'ignore-error':
        if (value !== '0' && value !== '1') fail(`ignore-error "${value}" is not 0 or 1`);
        ignoreError = value === '1';
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
        if (value !== '0' && value !== '1') fail(`grayscale "${value}" is not 0 or 1`);
        if (value === '1') operations.push({ op: 'grayscale' });
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
  return { operations, gravity, ...(format ? { format } : {}), ...(quality ? { quality } : {}), strip, interlace, ignoreError };
}

/**
 * Parses an imageMogr2 rule (stages joined by `|`, at most 10) into a plan, or throws a
 * precise message, so a bad rule is refused when the job is submitted, not when it runs.
 */
export function parseRule(rule: string): Plan {
  if (typeof rule !== 'string' || rule.trim() === '') fail('the rule is empty');
  if (/\s/.test(rule)) fail('a rule contains no spaces or line breaks');
  if (CONTROL_CHARACTERS.test(rule)) fail('a rule contains no control characters');
  if (rule.length > 4096) fail('the rule is longer than 4096 characters');
  const parts = rule.split('|');
  if (parts.length > MAX_STAGES) fail(`at most ${MAX_STAGES} stages may be joined with "|", got ${parts.length}`);
  return { rule, stages: parts.map(parseStage) };
}

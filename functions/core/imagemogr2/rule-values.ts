/** A problem with one stage of a rule, in words; parse.ts puts the processor's name in front of it. */
export class RuleProblem extends Error {}

export const fail = (message: string): never => {
  throw new RuleProblem(message);
};

// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/u;

export function integer(value: string, what: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) fail(`${what} must be a whole number, got "${value}"`);
  const number = Number(value);
  if (number < min || number > max) fail(`${what} must be from ${min} to ${max}, got ${number}`);
  return number;
}

export function decimal(value: string, what: string, min: number, max: number): number {
  if (!/^\d+(\.\d+)?$/.test(value)) fail(`${what} must be a number, got "${value}"`);
  const number = Number(value);
  if (number <= min || number > max) fail(`${what} must be more than ${min} and at most ${max}, got ${number}`);
  return number;
}

/** One of a fixed set of names, in any case. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const lower = value.toLowerCase();
  if (!(allowed as readonly string[]).includes(lower)) fail(`${what} "${value}" is not one of ${allowed.join(', ')}`);
  return lower as T;
}

/** The value after a parameter's name, URL-decoded; refused when missing, badly encoded or holding control characters. */
export function valueOf(name: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') fail(`${name} needs a value`);
  let value = raw!;
  try {
    value = decodeURIComponent(raw!);
  } catch {
    fail(`${name} value "${raw}" is not valid URL encoding`);
  }
  if (CONTROL_CHARACTERS.test(value)) fail(`${name} value "${raw}" decodes to control characters`);
  return value;
}

import * as z from 'zod/mini';
import { isTaskState, type TaskState } from '../core/task-states.ts';

/** KooMap's paging (reference/kmp.md §2): `offset` 0–2147483647 (default 0), `limit` 1–100 (default 10). */
const OFFSET_RANGE = 'offset must be a whole number from 0 to 2147483647';
const LIMIT_RANGE = 'limit must be a whole number from 1 to 100';
const missingOr = (name: string, range: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `${name} is required` : range;
export const offsetValue = z
  .pipe(z.string({ error: missingOr('offset', OFFSET_RANGE) }).check(z.regex(/^\d{1,10}$/, OFFSET_RANGE)), z.transform(Number))
  .check(z.lte(2_147_483_647, OFFSET_RANGE));
export const limitValue = z
  .pipe(z.string({ error: missingOr('limit', LIMIT_RANGE) }).check(z.regex(/^\d{1,3}$/, LIMIT_RANGE)), z.transform(Number))
  .check(z.gte(1, LIMIT_RANGE), z.lte(100, LIMIT_RANGE));
export const paging = { offset: z.optional(offsetValue), limit: z.optional(limitValue) };

export const pageOf = (query: { offset?: number; limit?: number }) => ({ offset: query.offset ?? 0, limit: query.limit ?? 10 });

/** An array parameter: KooMap's SDKs send one `key=value` pair per element. */
export const repeated = z.optional(
  z.pipe(
    z.union([z.string(), z.array(z.string())]),
    z.transform((value) => (Array.isArray(value) ? value : [value])),
  ),
);

/** One value of a parameter that must not repeat. */
export const single = (name: string) => z.optional(z.string({ error: `${name} must be given once` }));

export const statusList = z.optional(
  z.pipe(
    repeated,
    z.transform((values, context) => {
      const bad = (values ?? []).find((value) => !isTaskState(value));
      if (bad !== undefined) context.issues.push({ code: 'custom', input: bad, message: `task_status ${bad} is not a task status` });
      return (values ?? []) as TaskState[];
    }),
  ),
);

/** `yyyy-MM-dd'T'HH:mm:ss'Z'` (UTC), compared as ISO text. */
export const utcTime = (name: string) =>
  z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/, `${name} must look like 2024-05-17T08:00:00Z`)));

/** A time filter (whole seconds) as the ISO text tasks carry: a range's end takes its whole second. */
export const rangeStart = (kmp: string) => kmp.replace('Z', '.000Z');
export const rangeEnd = (kmp: string) => kmp.replace('Z', '.999Z');

/** `true` or `false` in a query. */
export const booleanValue = (name: string) =>
  z.pipe(
    z.enum(['true', 'false'], { error: `${name} must be true or false` }),
    z.transform((value) => value === 'true'),
  );
export const queryBoolean = (name: string) => z.optional(booleanValue(name));

/** KooMap's names: 1–50 (or as given) Chinese characters, letters, digits and "_". */
export const kmpName = (name: string, min: number, max: number) =>
  z
    .string({ error: `${name} is required` })
    .check(
      z.regex(
        new RegExp(`^[\\p{Script=Han}A-Za-z0-9_]{${min},${max}}$`, 'u'),
        `${name} must be ${min}-${max} Chinese characters, letters, digits or "_"`,
      ),
    );

export const kmpText = (name: string, max: number) =>
  z.optional(z.string().check(z.maxLength(max, `${name} is at most ${max} characters`)));

import * as z from 'zod/mini';
import type { Client } from '../core/client.ts';
import type { HttpResult } from '../http/http-handler.ts';
import type { RouteRequest } from '../http/kit.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { CI_STATE_NAMES, statesForCi, type CiState } from './job-states.ts';
import { jobsDetail } from './jobs-detail.ts';

/** `%Y-%m-%dT%H:%M:%S%z`, e.g. 2001-01-01T00:00:00+0800. */
const time = (name: string) =>
  z.optional(
    z.pipe(
      z.string(),
      z.transform((value, context) => {
        if (value === '') return undefined;
        const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2})(\d{2})$/.exec(value);
        const parsed = match ? new Date(`${match[1]}${match[2]}:${match[3]}`) : new Date(Number.NaN);
        if (Number.isNaN(parsed.getTime()))
          context.issues.push({ code: 'custom', input: value, message: `${name} must look like 2001-01-01T00:00:00+0800` });
        return parsed;
      }),
    ),
  );

const ListQuery = z.object({
  tag: z.optional(
    z.custom<'PicProcess'>((tag) => tag === 'PicProcess', {
      error: (issue) => `tag ${String(issue.input)} is not supported; only PicProcess`,
    }),
  ),
  size: z.optional(
    z
      .pipe(z.string(), z.transform(Number))
      .check(z.refine((size) => Number.isInteger(size) && size >= 1 && size <= 100, 'size must be a whole number from 1 to 100')),
  ),
  orderByTime: z.optional(z.enum(['Desc', 'Asc'], { error: 'orderByTime must be Desc or Asc' })),
  states: z.optional(
    z.pipe(
      z.string(),
      z.transform((value, context) => {
        if (value === '' || value === 'All') return undefined;
        const bad = value.split(',').find((state) => !CI_STATE_NAMES.includes(state as CiState));
        if (bad !== undefined)
          context.issues.push({ code: 'custom', input: value, message: `states: ${bad} is not one of All, ${CI_STATE_NAMES.join(', ')}` });
        return value.split(',') as CiState[];
      }),
    ),
  ),
  startCreationTime: time('startCreationTime'),
  endCreationTime: time('endCreationTime'),
  nextToken: z.optional(z.string()),
  inputObject: z.optional(z.string()),
});

export const listJobsInputs = { query: ListQuery };

/**
 * Newest first (or oldest), with filters and paging. `queueId` (the legacy list requires it; the
 * SDKs pass the one the caller names) is not read: each client has one queue, and an id copied
 * from Tencent's console must not empty the list.
 */
export async function listJobs({
  event,
  client,
  query,
}: RouteRequest<Client, unknown, z.infer<typeof ListQuery>, unknown>): Promise<HttpResult> {
  const { jobs, nextToken } = await picJobs.list(client, {
    size: query.size ?? 10,
    oldestFirst: query.orderByTime === 'Asc',
    ...(query.states ? { states: query.states.flatMap(statesForCi) } : {}),
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
    ...(query.startCreationTime ? { from: query.startCreationTime } : {}),
    ...(query.endCreationTime ? { to: query.endCreationTime } : {}),
    ...(query.inputObject ? { inputObject: query.inputObject } : {}),
  });
  return ciResponse(event, 'Response', {
    ...(jobs.length ? { JobsDetail: jobs.map(jobsDetail) } : {}),
    ...(nextToken ? { NextToken: nextToken } : {}),
  });
}

/** GET /jobs?tag=PicProcess&states=…&size=…&nextToken=…&orderByTime=…&startCreationTime=…&endCreationTime=…&inputObject=… */
export const route = ciDialect.route({ summary: 'List jobs, newest first, with filters and paging', ...listJobsInputs }, listJobs);

export const handler = route.handler;

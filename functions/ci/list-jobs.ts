import { invalidInput } from '../core/errors.ts';
import { CI_STATE_NAMES, statesForCi, type CiState } from './job-states.ts';
import { httpHandler } from '../http/http-handler.ts';
import { picJobs } from '../services/pic-jobs.ts';
import { authenticateCos, queryOf } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { jobsDetail } from './jobs-detail.ts';

/** `%Y-%m-%dT%H:%M:%S%z`, e.g. 2001-01-01T00:00:00+0800. */
function time(value: string | undefined, name: string): Date | undefined {
  if (!value) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2})(\d{2})$/.exec(value);
  const parsed = match ? new Date(`${match[1]}${match[2]}:${match[3]}`) : new Date(Number.NaN);
  if (Number.isNaN(parsed.getTime())) throw invalidInput(`${name} must look like 2001-01-01T00:00:00+0800`);
  return parsed;
}

/** GET /jobs?tag=PicProcess&states=…&size=…&nextToken=…&orderByTime=…&startCreationTime=…&endCreationTime=…&inputObject=… */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const query = queryOf(event);
  if (query.tag !== undefined && query.tag !== 'PicProcess') throw invalidInput(`tag ${query.tag} is not supported; only PicProcess`);
  const size = query.size === undefined ? 10 : Number(query.size);
  if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidInput('size must be a whole number from 1 to 100');
  const order = query.orderByTime ?? 'Desc';
  if (order !== 'Desc' && order !== 'Asc') throw invalidInput('orderByTime must be Desc or Asc');
  let states: CiState[] | undefined;
  if (query.states && query.states !== 'All') {
    states = query.states.split(',').map((state) => {
      if (!CI_STATE_NAMES.includes(state as CiState)) throw invalidInput(`states: ${state} is not one of All, ${CI_STATE_NAMES.join(', ')}`);
      return state as CiState;
    });
  }
  const from = time(query.startCreationTime, 'startCreationTime');
  const to = time(query.endCreationTime, 'endCreationTime');
  const { jobs, nextToken } = await picJobs.list(client, {
    size,
    oldestFirst: order === 'Asc',
    ...(states ? { states: states.flatMap(statesForCi) } : {}),
    ...(query.nextToken ? { nextToken: query.nextToken } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...(query.inputObject ? { inputObject: query.inputObject } : {}),
  });
  return ciResponse(event, 'Response', { ...(jobs.length ? { JobsDetail: jobs.map(jobsDetail) } : {}), ...(nextToken ? { NextToken: nextToken } : {}) });
}, ciError);

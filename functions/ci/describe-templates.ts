import { invalidInput } from '../core/errors.ts';
import { httpHandler } from '../http/http-handler.ts';
import { picTemplates } from '../services/pic-templates.ts';
import { authenticateCos, queryOf } from './authenticate.ts';
import { ciError, ciResponse } from './envelope.ts';
import { templateDetail } from './template-request.ts';

function page(value: string | undefined, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > max) throw invalidInput(`${name} must be a whole number from 1 to ${max}`);
  return number;
}

/** GET /template?tag=&category=&ids=&name=&pageNumber=&pageSize=: this client's Custom templates. */
export const handler = httpHandler(async (event) => {
  const client = await authenticateCos(event);
  const query = queryOf(event);
  if (query.tag && query.tag !== 'All' && query.tag !== 'PicProcess') throw invalidInput(`tag ${query.tag} is not supported; use PicProcess or All`);
  const category = query.category ?? 'Custom';
  if (category !== 'Custom' && category !== 'Official') throw invalidInput('category must be Custom or Official');
  const pageNumber = page(query.pageNumber, 'pageNumber', 1, 1_000_000);
  const pageSize = page(query.pageSize, 'pageSize', 10, 100);
  const { total, templates } =
    category === 'Official'
      ? { total: 0, templates: [] }
      : await picTemplates.describe(client, {
          ...(query.ids ? { ids: query.ids.split(',').filter(Boolean) } : {}),
          ...(query.name ? { namePrefix: query.name } : {}),
          pageNumber,
          pageSize,
        });
  return ciResponse(event, 'Response', {
    RequestId: event.requestContext.requestId,
    TotalCount: String(total),
    PageNumber: String(pageNumber),
    PageSize: String(pageSize),
    ...(templates.length ? { TemplateList: templates.map((template) => templateDetail(client, template)) } : {}),
  });
}, ciError);

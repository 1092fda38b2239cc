import * as z from 'zod/mini';
import { picTemplates } from '../services/pic-templates.ts';
import { ciDialect } from './dialect.ts';
import { ciResponse } from './envelope.ts';
import { idList } from './fields.ts';
import { templateDetail } from './template-request.ts';

const page = (name: string, max: number) =>
  z.optional(
    z
      .pipe(z.string(), z.transform(Number))
      .check(z.refine((value) => Number.isInteger(value) && value >= 1 && value <= max, `${name} must be a whole number from 1 to ${max}`)),
  );

const DescribeQuery = z.object({
  tag: z.optional(
    z.custom<string>((tag) => tag === 'All' || tag === 'PicProcess', {
      error: (issue) => `tag ${String(issue.input)} is not supported; use PicProcess or All`,
    }),
  ),
  category: z.optional(z.enum(['Custom', 'Official'], { error: 'category must be Custom or Official' })),
  ids: z.optional(z.string()),
  name: z.optional(z.string()),
  pageNumber: page('pageNumber', 1_000_000),
  pageSize: page('pageSize', 100),
});

/** GET /template?tag=&category=&ids=&name=&pageNumber=&pageSize=: this client's Custom templates. */
export const route = ciDialect.route(
  { summary: "List the client's PicProcess templates", query: DescribeQuery },
  async ({ event, client, query }) => {
    const pageNumber = query.pageNumber ?? 1;
    const pageSize = query.pageSize ?? 10;
    const { total, templates } =
      query.category === 'Official'
        ? { total: 0, templates: [] }
        : await picTemplates.describe(client, {
            ...(query.ids ? { ids: idList(query.ids) } : {}),
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
  },
);

export const handler = route.handler;

import { OVERSIZE_TOKENS, type OversizeAnswer, type OversizeTemplate } from '../functions/platform/oversize-answers.ts';

/** CloudFront Functions take at most 10 KB of code. */
export const MAX_FUNCTION_BYTES = 10 * 1024;

/** The header the function copies the viewer's Host into, for the origins (API Gateway gets its own host in Host). */
export const VIEWER_HOST_HEADER = 'x-forwarded-host';

/** A route path as a regular expression over the request URI: literal segments, `{param}` as one segment. */
export function pathPattern(path: string): string {
  const segments = path
    .split('/')
    .map((segment) =>
      /^\{[^}]+\+\}$/.test(segment) ? '.+' : /^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return `^${segments.join('/')}$`;
}

/** Literal segments before parameters, left to right (as API Gateway and local/route-matcher.ts choose). */
function bySpecificity(a: OversizeTemplate, b: OversizeTemplate): number {
  const rank = (path: string) => path.split('/').map((segment) => (/^\{.+\+\}$/.test(segment) ? 0 : /^\{.+\}$/.test(segment) ? 1 : 2));
  const [left, right] = [rank(a.path), rank(b.path)];
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    const difference = (right[index] ?? -1) - (left[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The tokens of functions/platform/oversize-answers.ts, shortened for the function's 10 KB. */
const SHORT_TOKENS = { requestId: '@@R', host: '@@H', path: '@@P', nonce: '@@N' } as const;

function shortened(text: string): string {
  if (text.includes('@@')) throw new Error(`an oversize answer holds "@@", which the function's tokens use: ${text}`);
  return (Object.keys(SHORT_TOKENS) as (keyof typeof SHORT_TOKENS)[]).reduce(
    (value, name) => value.split(OVERSIZE_TOKENS[name]).join(SHORT_TOKENS[name]),
    text,
  );
}

/**
 * Bodies, each written as the part that differs from the body before it ([length of the common
 * prefix, length of the common suffix, the middle]) when that is shorter: ost's answers differ
 * only in their sid's route tag and the limit.
 */
function deltaEncoded(bodies: readonly string[]): (string | [number, number, string])[] {
  return bodies.map((body, index) => {
    const previous = bodies[index - 1];
    if (previous === undefined) return body;
    let prefix = 0;
    while (prefix < Math.min(body.length, previous.length) && body[prefix] === previous[prefix]) prefix++;
    let suffix = 0;
    while (
      suffix < Math.min(body.length, previous.length) - prefix &&
      body[body.length - 1 - suffix] === previous[previous.length - 1 - suffix]
    )
      suffix++;
    const delta: [number, number, string] = [prefix, suffix, body.slice(prefix, body.length - suffix)];
    return JSON.stringify(delta).length < JSON.stringify(body).length ? delta : body;
  });
}

/**
 * The source of the API's viewer-request CloudFront Function (cloudfront-js-2.0), generated from
 * each route's too-large answer (functions/platform/oversize-answers.ts) and the route table:
 *
 * - it copies the viewer's Host into `x-forwarded-host` (the origins see their own host in Host);
 * - a request whose Content-Length is over its route's limit is answered here, before any limit of
 *   API Gateway, Lambda or the container bites, with what the route's dialect answers a too-large
 *   body: its status, headers and envelope, the request id being CloudFront's, the host the
 *   viewer's, the JSON form when the request's content-type or accept names JSON and the dialect
 *   has one. Requests under every limit (nearly all) cost one comparison.
 *
 * A body sent without Content-Length (chunked) is not checked here: the container counts it
 * itself; API Gateway would answer its own 413.
 */
export function oversizeFunctionSource(templates: ReadonlyMap<string, OversizeTemplate>): string {
  const ordered = [...templates.values()].sort(bySpecificity);
  const answers: OversizeAnswer[] = [];
  const key = (answer: OversizeAnswer) => JSON.stringify(answer);
  for (const template of ordered) {
    for (const answer of [template.answer, template.json]) {
      if (answer && !answers.some((known) => key(known) === key(answer))) answers.push(answer);
    }
  }
  // Similar bodies next to each other, so that each is written as its difference from the one before.
  answers.sort((a, b) => (a.body < b.body ? -1 : a.body > b.body ? 1 : 0));
  const indexOf = (answer: OversizeAnswer) => answers.findIndex((known) => key(known) === key(answer));
  // [method, path pattern, limit, answer, JSON answer or -1]
  const routes = ordered.map((template) => [
    template.method,
    pathPattern(template.path),
    template.limit,
    indexOf(template.answer),
    template.json ? indexOf(template.json) : -1,
  ]);
  const bodies = deltaEncoded(answers.map((answer) => shortened(answer.body)));
  const table = answers.map((answer, index) => [
    answer.statusCode,
    answer.statusDescription,
    Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name, shortened(value)])),
    bodies[index],
  ]);
  const smallest = Math.min(...ordered.map((template) => template.limit));
  const source = `// Generated by infra/oversize-function.ts from functions/routes.ts and functions/platform/oversize-answers.ts. Do not edit.
var A=${JSON.stringify(table)};
for(var i=0;i<A.length;i++){var b=A[i][3];if(typeof b!=='string'){var p=A[i-1][3];A[i][3]=p.slice(0,b[0])+b[2]+p.slice(p.length-b[1]);}}
var R=${JSON.stringify(routes)};
var M=${smallest};
function fill(t,id,host,path,nonce){return t.split('${SHORT_TOKENS.requestId}').join(id).split('${SHORT_TOKENS.host}').join(host).split('${SHORT_TOKENS.path}').join(path).split('${SHORT_TOKENS.nonce}').join(nonce);}
function nonce(){var n=Date.now().toString(16);for(var i=0;i<6;i++)n+=Math.floor(Math.random()*16).toString(16);return n;}
function answer(a,event,host){var id=event.context.requestId||'',p=event.request.uri,x=nonce(),h={};
for(var k in a[2])h[k]={value:fill(a[2][k],id,host,p,x)};
return{statusCode:a[0],statusDescription:a[1],headers:h,body:{encoding:'text',data:fill(a[3],id,host,p,x)}};}
function handler(event){var q=event.request,h=q.headers,host=h.host?h.host.value:'';
h['${VIEWER_HOST_HEADER}']={value:host};
var c=h['content-length'],n=c?Number(c.value):0;
if(!(n>M))return q;
for(var i=0;i<R.length;i++){var r=R[i];
if(r[0]!==q.method||!new RegExp(r[1]).test(q.uri))continue;
if(!(n>r[2]))return q;
var j=r[4]>=0&&/json/i.test((h['content-type']?h['content-type'].value:'')+' '+(h.accept?h.accept.value:''));
return answer(A[j?r[4]:r[3]],event,host);}
return q;}
`;
  const size = Buffer.byteLength(source);
  if (size > MAX_FUNCTION_BYTES) {
    throw new Error(`the generated CloudFront Function is ${size} bytes, over CloudFront's ${MAX_FUNCTION_BYTES}-byte limit`);
  }
  return source;
}

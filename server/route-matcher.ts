import type { Route } from '../functions/routes.ts';

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | undefined;
}

/** A path whose %-escapes do not decode: API Gateway answers 400 before any route is chosen. */
export class MalformedPathError extends Error {
  constructor(path: string) {
    super(`path ${path} holds a %-escape that does not decode`);
    this.name = 'MalformedPathError';
  }
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MalformedPathError(segment);
  }
}

/**
 * Matches a request the way API Gateway HTTP APIs do: exact segments, `{name}` and a final
 * `{name+}`; when several routes match, the most specific wins (a literal segment over a
 * parameter, a parameter over a greedy one, segment by segment from the left), so
 * `GET …/tasks/overview` beats `GET …/tasks/{task_id}`. Throws MalformedPathError for a parameter
 * that does not decode.
 */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').slice(1);
  let best: { match: RouteMatch; rank: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').slice(1);
    const parameters = matchPath(pattern, segments);
    if (!parameters) continue;
    const rank = pattern.map(specificity);
    if (!best || moreSpecific(rank, best.rank)) {
      best = { match: { route, pathParameters: Object.keys(parameters).length > 0 ? parameters : undefined }, rank };
    }
  }
  return best?.match;
}

const specificity = (part: string) => (/^\{.+\+\}$/.test(part) ? 0 : /^\{.+\}$/.test(part) ? 1 : 2);

function moreSpecific(rank: readonly number[], than: readonly number[]): boolean {
  for (let index = 0; index < Math.max(rank.length, than.length); index++) {
    const difference = (rank[index] ?? -1) - (than[index] ?? -1);
    if (difference !== 0) return difference > 0;
  }
  return false;
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]!;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      if (index >= segments.length) return undefined;
      parameters[greedy[1]!] = segments.slice(index).map(decodeSegment).join('/');
      return parameters;
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const named = /^\{(.+)\}$/.exec(part);
    if (named) {
      if (segment === '') return undefined;
      parameters[named[1]!] = decodeSegment(segment);
    } else if (part !== segment) return undefined;
  }
  return pattern.length === segments.length ? parameters : undefined;
}

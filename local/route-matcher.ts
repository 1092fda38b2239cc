import type { Route } from '../functions/routes.ts';

export interface RouteMatch {
  readonly route: Route;
  readonly pathParameters: Record<string, string> | undefined;
}

/** Matches a request the way API Gateway HTTP APIs do: exact segments, `{name}` and a final `{name+}`. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  const segments = path.split('/').slice(1);
  for (const route of routes) {
    if (route.method !== method) continue;
    const parameters = matchPath(route.path.split('/').slice(1), segments);
    if (parameters) return { route, pathParameters: Object.keys(parameters).length > 0 ? parameters : undefined };
  }
  return undefined;
}

function matchPath(pattern: string[], segments: string[]): Record<string, string> | undefined {
  const parameters: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const part = pattern[index]!;
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      if (index >= segments.length) return undefined;
      parameters[greedy[1]!] = segments.slice(index).map(decodeURIComponent).join('/');
      return parameters;
    }
    const segment = segments[index];
    if (segment === undefined) return undefined;
    const named = /^\{(.+)\}$/.exec(part);
    if (named) {
      if (segment === '') return undefined;
      parameters[named[1]!] = decodeURIComponent(segment);
    } else if (part !== segment) return undefined;
  }
  return pattern.length === segments.length ? parameters : undefined;
}

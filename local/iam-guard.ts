import { AsyncLocalStorage } from 'node:async_hooks';
import { GROUP_ACCESS, STAGE_REQUEST_BODIES, unionAccess, type GroupAccess } from '../functions/access.ts';
import type { ClientPlugin } from '../functions/adapters/aws-clients.ts';
import type { Route } from '../functions/routes.ts';
import { describeResource, grants, requiredPermissions } from './iam-permissions.ts';

/**
 * IAM, locally. On AWS every route group, consumer and scheduled job runs in its own Lambda whose
 * role holds only its entry of functions/access.ts; the emulators check no IAM at all, so a grant
 * missing there would show only once deployed. The local stack runs each of them `actingAs` its
 * entry, and the SDK clients refuse what the entry does not grant, with AWS's AccessDenied.
 */
export interface Role {
  readonly name: string;
  readonly access: GroupAccess;
}

const acting = new AsyncLocalStorage<Role>();
const denials: string[] = [];

/** The role of `name`'s entry in functions/access.ts: what its Lambda may do. */
export function roleOf(name: string): Role {
  const access = GROUP_ACCESS[name];
  if (!access) throw new Error(`functions/access.ts has no entry "${name}"`);
  return { name, access };
}

/**
 * The role a route's handler runs with: its group's Lambda, or for a largeBodies route the
 * large-body server, which also stages request bodies. (That server's role is the union of all its
 * routes' groups; each route is held to its own group, so it also works with largeBodies off.)
 */
export function roleFor(route: Route): Role {
  const { access } = roleOf(route.group);
  return route.largeBodies
    ? { name: `${route.group} (large-body server)`, access: unionAccess([access, STAGE_REQUEST_BODIES]) }
    : { name: route.group, access };
}

/** Runs `action` with `role`'s grants (a name is its entry in functions/access.ts). */
export function actingAs<T>(role: Role | string, action: () => T): T {
  return acting.run(typeof role === 'string' ? roleOf(role) : role, action);
}

/** The requests refused since the last call, each as AWS words it: for a test to show that none were. */
export function takeDenials(): string[] {
  return denials.splice(0);
}

/** An error as the SDK raises AWS's own refusal (a 403 its callers can tell from any other). */
function accessDenied(clientName: string, message: string): Error {
  const name = clientName === 'S3Client' || clientName === 'SQSClient' ? 'AccessDenied' : 'AccessDeniedException';
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 403 } });
}

/** For every SDK client the local stack uses: refuses a request its caller's role would not be allowed. */
export const iamGuard: ClientPlugin = {
  applyToStack(stack) {
    stack.add(
      (next, context) => async (args) => {
        const role = acting.getStore();
        if (role) {
          const { clientName = '', commandName = '' } = context;
          for (const permission of requiredPermissions(clientName, commandName, args.input as Record<string, unknown>)) {
            if (grants(role.access, permission)) continue;
            const message = `${role.name} is not authorized to perform: ${permission.action} on resource: ${describeResource(permission)} because functions/access.ts grants it no such action`;
            denials.push(message);
            throw accessDenied(clientName, message);
          }
        }
        return next(args);
      },
      { step: 'initialize', name: 'tesseraIamGuard', priority: 'high' },
    );
  },
};

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GROUP_ACCESS } from '../../functions/access.ts';
import { CONSUMERS } from '../../functions/consumers.ts';
import { QUEUES } from '../../functions/resources.ts';
import { ROUTES, routeGroups, routeKey } from '../../functions/routes.ts';
import { SCHEDULES } from '../../functions/schedules.ts';
import { MalformedPathError, matchRoute } from '../../server/route-matcher.ts';

const route = (method: 'GET' | 'POST', path: string) => ({ method, path, dialect: 'platform' as const, group: 'g', handler: 'x.ts' });

describe('the route table', () => {
  it('names each route once, with a handler module that exists and a group with declared access', () => {
    const keys = ROUTES.map(routeKey);
    assert.equal(new Set(keys).size, keys.length, 'duplicate route');
    for (const entry of ROUTES) {
      assert.ok(existsSync(new URL(`../../functions/${entry.handler}`, import.meta.url)), entry.handler);
      assert.ok(entry.group in GROUP_ACCESS, `group ${entry.group} has no GROUP_ACCESS entry`);
      assert.match(entry.path, /^\/[A-Za-z0-9_{}+/.-]*$/);
    }
  });

  it('exports a handler from every module it names', async () => {
    for (const entry of ROUTES) {
      const module = (await import(`../../functions/${entry.handler}`)) as { handler?: unknown };
      assert.equal(typeof module.handler, 'function', entry.handler);
    }
  });

  it('names scheduled jobs whose handlers exist and whose access is declared', () => {
    for (const schedule of SCHEDULES) {
      assert.ok(existsSync(new URL(`../../functions/${schedule.handler}`, import.meta.url)), schedule.handler);
      assert.ok(schedule.name in GROUP_ACCESS, `schedule ${schedule.name} has no GROUP_ACCESS entry`);
    }
  });

  it('names queue consumers whose modules export handler and handle, whose access is declared, one per queue', async () => {
    for (const consumer of CONSUMERS) {
      const module = (await import(`../../functions/${consumer.handler}`)) as { handler?: unknown; handle?: unknown };
      assert.equal(typeof module.handler, 'function', consumer.handler);
      assert.equal(typeof module.handle, 'function', consumer.handler);
      assert.ok(consumer.access in GROUP_ACCESS, `consumer ${consumer.name} has no GROUP_ACCESS entry`);
    }
    const consumed = CONSUMERS.flatMap((consumer) => consumer.queues.map(({ queue }) => queue));
    assert.deepEqual([...consumed].sort(), Object.keys(QUEUES).sort(), 'every queue has exactly one consumer');
  });

  it('groups routes for one Lambda each', () => {
    const groups = routeGroups(ROUTES);
    assert.deepEqual([...groups.keys()].sort(), [...new Set(ROUTES.map((entry) => entry.group))].sort());
    assert.equal([...groups.values()].flat().length, ROUTES.length);
  });
});

describe('matchRoute', () => {
  const routes = [route('GET', '/jobs'), route('GET', '/jobs/{id}'), route('POST', '/v1/{workspace}/tasks'), route('GET', '/files/{key+}')];

  it('matches exact paths and methods', () => {
    assert.equal(matchRoute(routes, 'GET', '/jobs')?.route.path, '/jobs');
    assert.equal(matchRoute(routes, 'POST', '/jobs'), undefined);
    assert.equal(matchRoute(routes, 'GET', '/jobs/'), undefined);
    assert.equal(matchRoute(routes, 'GET', '/nope'), undefined);
  });

  it('extracts decoded path parameters, greedy ones across slashes', () => {
    assert.deepEqual(matchRoute(routes, 'GET', '/jobs/a%2Cb')?.pathParameters, { id: 'a,b' });
    assert.deepEqual(matchRoute(routes, 'POST', '/v1/ws-1/tasks')?.pathParameters, { workspace: 'ws-1' });
    assert.deepEqual(matchRoute(routes, 'GET', '/files/a/b/c.jpg')?.pathParameters, { key: 'a/b/c.jpg' });
    assert.equal(matchRoute(routes, 'GET', '/jobs')?.pathParameters, undefined);
  });

  it('prefers a literal segment over a parameter, and a parameter over a greedy one, whatever the table order', () => {
    const table = [
      route('GET', '/v1/real3d/{workspace_id}/tasks/{task_id}'),
      route('GET', '/v1/real3d/{workspace_id}/tasks/overview'),
      route('GET', '/files/{key+}'),
      route('GET', '/files/{name}/info'),
    ];
    for (const order of [table, [...table].reverse()]) {
      assert.equal(matchRoute(order, 'GET', '/v1/real3d/ws1/tasks/overview')?.route.path, '/v1/real3d/{workspace_id}/tasks/overview');
      assert.deepEqual(matchRoute(order, 'GET', '/v1/real3d/ws1/tasks/t1')?.pathParameters, { workspace_id: 'ws1', task_id: 't1' });
      assert.equal(matchRoute(order, 'GET', '/files/a/info')?.route.path, '/files/{name}/info');
      assert.equal(matchRoute(order, 'GET', '/files/a/b/info')?.route.path, '/files/{key+}');
    }
  });

  it('throws MalformedPathError for a parameter whose %-escapes do not decode', () => {
    for (const path of ['/jobs/%ZZ', '/jobs/%E0%A4%A', '/files/a/%ED%A0%80/b', '/v1/%/tasks']) {
      assert.throws(() => matchRoute(routes, path.startsWith('/v1') ? 'POST' : 'GET', path), MalformedPathError, path);
    }
    assert.equal(matchRoute(routes, 'GET', '/nope/%ZZ'), undefined);
  });
});

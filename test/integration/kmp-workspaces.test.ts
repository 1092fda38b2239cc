import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import { workspaceStore } from '../../functions/adapters/workspace-store.ts';
import { defaultWorkspaceId, newWorkspaceId, type Workspace } from '../../functions/core/workspaces.ts';
import type { KmpAnswer } from '../support/kmp.ts';
import {
  KMP,
  UNKNOWN_WORKSPACE_ID,
  expectKmpError,
  expectOk,
  newKmpClient,
  picprocessTask,
  sendSigned,
  uploadTaskInputs,
  type KmpTestClient,
} from '../support/kmp-fixtures.ts';
import { useLocalStack } from '../support/local-stack.ts';

const stack = useLocalStack({ worker: false });

interface WorkspaceDto {
  readonly workspace_id: string;
  readonly workspace_name: string;
  readonly workspace_description: string;
  readonly tenant_domain_id: string;
  readonly creator: string;
  readonly latest_operator: string;
  readonly create_time: string;
  readonly update_time: string;
  readonly star: number;
  readonly can_delete: boolean;
}

interface WorkspaceList {
  readonly data: WorkspaceDto[];
  readonly page: { offset: number; limit: number; total: number };
}

const WORKSPACE_DTO_FIELDS = [
  'can_delete',
  'create_time',
  'creator',
  'latest_operator',
  'star',
  'tenant_domain_id',
  'update_time',
  'workspace_description',
  'workspace_id',
  'workspace_name',
];
const KMP_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

type Query = Record<string, string | number | boolean | readonly string[]>;

const list = async (client: KmpTestClient, query: Query = {}): Promise<WorkspaceList> =>
  expectOk(await client.kmp.request<WorkspaceList>('GET', '/v1/workspaces', { query: { limit: 100, ...query } }));

const names = (answer: WorkspaceList) => answer.data.map((workspace) => workspace.workspace_name);

const create = async (client: KmpTestClient, name: string, description?: string): Promise<WorkspaceDto> =>
  expectOk(
    await client.kmp.request<WorkspaceDto>('POST', '/v1/workspaces', {
      body: { workspace_name: name, ...(description === undefined ? {} : { workspace_description: description }) },
    }),
  );

const update = (client: KmpTestClient, workspaceId: string, body: Record<string, unknown>) =>
  client.kmp.request<WorkspaceDto>('PUT', `/v1/workspaces/${workspaceId}`, { body });

const remove = (client: KmpTestClient, workspaceId: string) => client.kmp.request('DELETE', `/v1/workspaces/${workspaceId}`);

/** A body exactly as given, signed as the SDK signs: for bodies no JSON.stringify would write. */
const sendRaw = (client: KmpTestClient, method: string, path: string, body: string) =>
  sendSigned(stack.current.url, { accessKey: client.clientId, secretKey: client.secret }, { method, path, body });

/** Runs `action`, then checks that the client's workspaces are exactly as before. */
async function changesNothing(client: KmpTestClient, action: () => Promise<void>): Promise<void> {
  const before = await list(client);
  await action();
  assert.deepEqual(await list(client), before, 'the workspaces are as they were');
}

/** Waits into the next whole second: KooMap's times have seconds, so time filters need things a second apart. */
const nextSecond = () => sleep(1000 - (Date.now() % 1000) + 20);

const client = (namespace: string) => newKmpClient(stack.current.url, namespace);

before(() => stack.ready());

describe('POST /v1/workspaces', () => {
  let c: KmpTestClient;
  before(async () => {
    c = await client('kmpwscreate');
  });

  it('creates a workspace and answers it as a WorkspaceDto, as it is listed from then on', async () => {
    const created = await create(c, 'Survey_2024', 'east district');
    assert.deepEqual(Object.keys(created).sort(), WORKSPACE_DTO_FIELDS);
    assert.match(created.workspace_id, /^[0-9a-f]{32}$/);
    assert.equal(created.workspace_name, 'Survey_2024');
    assert.equal(created.workspace_description, 'east district');
    for (const field of ['tenant_domain_id', 'creator', 'latest_operator'] as const) assert.equal(created[field], c.clientId, field);
    assert.match(created.create_time, KMP_TIME);
    assert.equal(created.update_time, created.create_time);
    assert.equal(created.star, 0);
    assert.equal(created.can_delete, true);
    const listed = await list(c, { workspace_ids: [created.workspace_id] });
    assert.deepEqual(listed.data, [created]);
    assert.equal((await list(c)).page.total, 2, 'the default workspace and this one');
  });

  it('takes names of 2 and of 50 characters (CJK too, any punctuation: the SDK sets no charset), descriptions up to 200', async () => {
    const made = [
      await create(c, 'ab'),
      await create(c, 'n'.repeat(50)),
      await create(c, '测'.repeat(50), '描'.repeat(200)),
      await create(c, 'Site A (north) #1', ''),
    ];
    assert.deepEqual(
      made.map((workspace) => workspace.workspace_name),
      ['ab', 'n'.repeat(50), '测'.repeat(50), 'Site A (north) #1'],
    );
    assert.equal(made[0]!.workspace_description, '', 'no description is an empty one');
    assert.equal(made[2]!.workspace_description, '描'.repeat(200));
  });

  it('refuses a name already taken, in any case (the default workspace too), 400 KMP.00021103, creating nothing', () =>
    changesNothing(c, async () => {
      for (const name of ['Survey_2024', 'survey_2024', 'SURVEY_2024', 'DEFAULT', 'default']) {
        expectKmpError(await c.kmp.request('POST', '/v1/workspaces', { body: { workspace_name: name } }), 400, KMP.duplicateName);
      }
    }));

  it('refuses bad bodies with 400 KMP.00011004, creating nothing', () =>
    changesNothing(c, async () => {
      const bodies = [
        '{}',
        '{"workspace_name": "a"}',
        `{"workspace_name": "${'n'.repeat(51)}"}`,
        '{"workspace_name": 12345}',
        '{"workspace_name": null}',
        '{"workspace_name": ["ab"]}',
        '{"workspace_name": "fine_name", "workspace_description": 5}',
        `{"workspace_name": "fine_name", "workspace_description": "${'d'.repeat(201)}"}`,
        '{"workspace_name": "\\ud800x"}',
        '[]',
        '"fine_name"',
        'not json',
        '',
      ];
      for (const body of bodies) {
        const answer = await sendRaw(c, 'POST', '/v1/workspaces', body);
        assert.equal(answer.status, 400, `${body}: ${answer.text}`);
        expectKmpError(answer, 400, KMP.invalidParameters);
      }
    }));

  it('lets exactly one of five racing creates of one name (in five cases) win', async () => {
    const answers = await Promise.all(
      ['Race', 'RACE', 'race', 'rAce', 'racE'].map((name) => c.kmp.request('POST', '/v1/workspaces', { body: { workspace_name: name } })),
    );
    assert.equal(answers.filter((answer) => answer.status === 200).length, 1, JSON.stringify(answers));
    for (const answer of answers.filter((each) => each.status !== 200)) expectKmpError(answer, 400, KMP.duplicateName);
    assert.equal((await list(c, { workspace_name: 'race' })).page.total, 1);
  });
});

describe('GET /v1/workspaces', () => {
  let g: KmpTestClient;
  const made: Record<string, WorkspaceDto> = {};
  before(async () => {
    g = await client('kmpwslist');
    await nextSecond();
    for (const name of ['ws_1', 'ws_2', 'ws_3', 'ws_4']) made[name] = await create(g, name);
    await nextSecond();
    made.ws_5 = await create(g, 'ws_5');
    await nextSecond();
    for (const name of ['ws_2', 'ws_4']) made[name] = expectOk(await update(g, made[name]!.workspace_id, { star: 1 }));
  });

  it('lists a new client its default workspace: named default, not starred, never deletable', async () => {
    const fresh = await client('kmpwsfresh');
    const answer = await list(fresh);
    assert.deepEqual(answer.page, { offset: 0, limit: 100, total: 1 });
    const [only] = answer.data;
    assert.deepEqual(Object.keys(only!).sort(), WORKSPACE_DTO_FIELDS);
    assert.equal(only!.workspace_id, defaultWorkspaceId(fresh.clientId));
    assert.equal(only!.workspace_name, 'default');
    assert.equal(only!.star, 0);
    assert.equal(only!.can_delete, false);
  });

  it('puts starred workspaces first, then the newest first; order_by=create_time_asc puts the oldest first', async () => {
    assert.deepEqual(names(await list(g)), ['ws_4', 'ws_2', 'ws_5', 'ws_3', 'ws_1', 'default']);
    assert.deepEqual(names(await list(g, { order_by: 'create_time_desc' })), ['ws_4', 'ws_2', 'ws_5', 'ws_3', 'ws_1', 'default']);
    assert.deepEqual(names(await list(g, { order_by: 'create_time_asc' })), ['ws_2', 'ws_4', 'default', 'ws_1', 'ws_3', 'ws_5']);
  });

  it('pages with offset and limit (10 by default), page.total counting every match', async () => {
    const firstPage = expectOk(await g.kmp.request<WorkspaceList>('GET', '/v1/workspaces'));
    assert.deepEqual(firstPage.page, { offset: 0, limit: 10, total: 6 });
    assert.equal(firstPage.data.length, 6);
    const page = async (offset: number, limit: number) => {
      const answer = await list(g, { offset, limit });
      assert.deepEqual(answer.page, { offset, limit, total: 6 });
      return names(answer);
    };
    assert.deepEqual(await page(0, 1), ['ws_4']);
    assert.deepEqual(await page(2, 2), ['ws_5', 'ws_3']);
    assert.deepEqual(await page(5, 100), ['default']);
    assert.deepEqual(await page(6, 10), []);
    assert.deepEqual(await page(2147483647, 100), []);
  });

  it('refuses paging out of range with 400 KMP.00011004', async () => {
    for (const query of <Query[]>[
      { limit: 0 },
      { limit: 101 },
      { limit: -1 },
      { limit: 'ten' },
      { limit: '1.5' },
      { limit: '' },
      { offset: -1 },
      { offset: 'x' },
      { offset: 2147483648 },
      { limit: ['1', '2'] },
    ]) {
      expectKmpError(await g.kmp.request('GET', '/v1/workspaces', { query }), 400, KMP.invalidParameters);
    }
  });

  it('filters by name (a part of it, any case), by ids (repeated), by star, by creation and update time', async () => {
    assert.deepEqual(names(await list(g, { workspace_name: 'WS_' })), ['ws_4', 'ws_2', 'ws_5', 'ws_3', 'ws_1']);
    assert.deepEqual(names(await list(g, { workspace_name: 's_3' })), ['ws_3']);
    const ids = [made.ws_1!.workspace_id, made.ws_5!.workspace_id, UNKNOWN_WORKSPACE_ID];
    assert.deepEqual(names(await list(g, { workspace_ids: ids })), ['ws_5', 'ws_1']);
    assert.deepEqual(names(await list(g, { star: true })), ['ws_4', 'ws_2']);
    assert.deepEqual(names(await list(g, { star: false })), ['ws_5', 'ws_3', 'ws_1', 'default']);
    // ws_5 was made a second after the others, and ws_2 and ws_4 were starred (updated) a second after that.
    assert.deepEqual(names(await list(g, { create_time_from: made.ws_5!.create_time })), ['ws_5']);
    assert.deepEqual(names(await list(g, { create_time_to: made.ws_4!.create_time })), ['ws_4', 'ws_2', 'ws_3', 'ws_1', 'default']);
    assert.deepEqual(names(await list(g, { update_time_from: made.ws_2!.update_time })), ['ws_4', 'ws_2']);
    assert.deepEqual(names(await list(g, { update_time_to: made.ws_5!.update_time })), ['ws_5', 'ws_3', 'ws_1', 'default']);
    assert.deepEqual(
      names(await list(g, { create_time_from: made.ws_1!.create_time, create_time_to: made.ws_1!.create_time, star: true })),
      ['ws_4', 'ws_2'],
    );
    const filtered = await list(g, { workspace_name: 'ws', star: false, limit: 1, offset: 1 });
    assert.deepEqual(filtered.page, { offset: 1, limit: 1, total: 3 });
    assert.deepEqual(names(filtered), ['ws_3']);
  });

  it('refuses malformed filters with 400 KMP.00011004', async () => {
    for (const query of <Query[]>[
      { star: 'yes' },
      { star: 1 },
      { order_by: 'name_asc' },
      { create_time_from: '2024-05-17' },
      { create_time_to: '2024-05-17 08:00:00' },
      { update_time_from: '2024-05-17T08:00:00.000Z' },
      { update_time_to: '20240517T080000Z' },
    ]) {
      expectKmpError(await g.kmp.request('GET', '/v1/workspaces', { query }), 400, KMP.invalidParameters);
    }
  });
});

describe('PUT /v1/workspaces/{workspace_id}', () => {
  let u: KmpTestClient;
  let planA: WorkspaceDto;
  let planB: WorkspaceDto;
  before(async () => {
    u = await client('kmpwsupdate');
    planA = await create(u, 'Plan_A', 'first');
    planB = await create(u, 'Plan_B', 'second');
  });

  it('renames, redescribes and stars a workspace, answering the WorkspaceDto it now lists', async () => {
    await nextSecond();
    const updated = expectOk(await update(u, planA.workspace_id, { workspace_name: 'Plan_A2', workspace_description: 'renamed', star: 1 }));
    assert.deepEqual(Object.keys(updated).sort(), WORKSPACE_DTO_FIELDS);
    assert.equal(updated.workspace_id, planA.workspace_id);
    assert.equal(updated.workspace_name, 'Plan_A2');
    assert.equal(updated.workspace_description, 'renamed');
    assert.equal(updated.star, 1);
    assert.equal(updated.can_delete, false, 'a starred workspace cannot be deleted');
    assert.equal(updated.create_time, planA.create_time);
    assert.ok(updated.update_time > planA.update_time, `${updated.update_time} after ${planA.update_time}`);
    assert.deepEqual((await list(u, { workspace_ids: [planA.workspace_id] })).data, [updated]);
    const unstarred = expectOk(await update(u, planA.workspace_id, { star: 0 }));
    assert.equal(unstarred.star, 0);
    assert.equal(unstarred.can_delete, true);
    assert.equal(unstarred.workspace_name, 'Plan_A2', 'what the body leaves out stays');
  });

  it("lets a workspace take its own name in another case, refuses another's name in any case (KMP.00021103)", async () => {
    assert.equal(expectOk(await update(u, planB.workspace_id, { workspace_name: 'PLAN_B' })).workspace_name, 'PLAN_B');
    await changesNothing(u, async () => {
      for (const name of ['Plan_A2', 'plan_a2', 'Default']) {
        expectKmpError(await update(u, planB.workspace_id, { workspace_name: name }), 400, KMP.duplicateName);
      }
    });
  });

  it('refuses bad bodies with 400 KMP.00011004, changing nothing', () =>
    changesNothing(u, async () => {
      const bodies = [
        '{"star": 2}',
        '{"star": -1}',
        '{"star": "1"}',
        '{"star": true}',
        '{"star": null}',
        '{"workspace_name": "a"}',
        `{"workspace_name": "${'n'.repeat(51)}"}`,
        '{"workspace_name": 5}',
        `{"workspace_description": "${'d'.repeat(201)}"}`,
        '[]',
        'not json',
      ];
      for (const body of bodies) {
        const answer = await sendRaw(u, 'PUT', `/v1/workspaces/${planB.workspace_id}`, body);
        assert.equal(answer.status, 400, `${body}: ${answer.text}`);
        expectKmpError(answer, 400, KMP.invalidParameters);
      }
    }));

  it('answers 404 KMP.00021101 for an unknown or malformed workspace id, changing nothing', () =>
    changesNothing(u, async () => {
      for (const id of [UNKNOWN_WORKSPACE_ID, 'not-an-id', planB.workspace_id.toUpperCase(), `${planB.workspace_id}0`]) {
        expectKmpError(await update(u, id, { workspace_name: 'Taken_Over', star: 1 }), 404, KMP.notFound);
      }
    }));
});

describe('starring: at most 4 workspaces', () => {
  let s: KmpTestClient;
  const ids: string[] = [];
  before(async () => {
    s = await client('kmpwsstars');
    for (let index = 1; index <= 5; index++) ids.push((await create(s, `st_${index}`)).workspace_id);
  });

  const starred = async () => names(await list(s, { star: true })).sort();

  it('stars four; the fifth is refused 400 KMP.00021104, changing nothing; starring a starred one again is fine', async () => {
    for (const id of ids.slice(0, 4)) assert.equal(expectOk(await update(s, id, { star: 1 })).star, 1);
    await changesNothing(s, async () => {
      expectKmpError(await update(s, ids[4]!, { star: 1 }), 400, KMP.limitReached);
    });
    assert.equal(expectOk(await update(s, ids[0]!, { star: 1 })).star, 1);
    expectOk(await update(s, ids[0]!, { star: 0 }));
    expectOk(await update(s, ids[4]!, { star: 1 }));
    assert.deepEqual(await starred(), ['st_2', 'st_3', 'st_4', 'st_5']);
  });

  it('gives the last place to exactly one of two racing stars', async () => {
    expectOk(await update(s, ids[1]!, { star: 0 }));
    const answers = await Promise.all([update(s, ids[0]!, { star: 1 }), update(s, ids[1]!, { star: 1 })]);
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 400], JSON.stringify(answers));
    expectKmpError(
      answers.find((answer) => answer.status === 400)!,
      400,
      KMP.limitReached,
    );
    assert.equal((await starred()).length, 4);
  });
});

describe('DELETE /v1/workspaces/{workspace_id}', () => {
  let d: KmpTestClient;
  before(async () => {
    d = await client('kmpwsdelete');
    await uploadTaskInputs(stack.current.url, d);
  });

  const listed = async (workspaceId: string) => (await list(d, { workspace_ids: [workspaceId] })).data[0];

  it('deletes an empty, unstarred workspace: answers true, it is gone, its name is free again', async () => {
    const temp = await create(d, 'Temp');
    const answer = await remove(d, temp.workspace_id);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body, true);
    assert.equal(await listed(temp.workspace_id), undefined);
    expectKmpError(await remove(d, temp.workspace_id), 404, KMP.notFound);
    assert.equal((await create(d, 'TEMP')).workspace_name, 'TEMP');
  });

  it('refuses a starred workspace with 400 KMP.00021102 until it is unstarred', async () => {
    const starred = await create(d, 'Starred');
    expectOk(await update(d, starred.workspace_id, { star: 1 }));
    await changesNothing(d, async () => {
      expectKmpError(await remove(d, starred.workspace_id), 400, KMP.stateNotAllowed);
    });
    assert.equal((await listed(starred.workspace_id))?.can_delete, false);
    expectOk(await update(d, starred.workspace_id, { star: 0 }));
    assert.equal((await listed(starred.workspace_id))?.can_delete, true);
    assert.equal(expectOk(await remove(d, starred.workspace_id)), true);
  });

  it('refuses a workspace holding a task with 400 KMP.00021102 (can_delete false) until the task is deleted', async () => {
    const busy = await create(d, 'Busy');
    const tasksPath = `/v1/real3d/${busy.workspace_id}/tasks`;
    const task = expectOk(await d.kmp.request<{ task_id: string }>('POST', tasksPath, { body: picprocessTask('keeps_it', d.namespace) }));
    await changesNothing(d, async () => {
      expectKmpError(await remove(d, busy.workspace_id), 400, KMP.stateNotAllowed);
    });
    assert.equal((await listed(busy.workspace_id))?.can_delete, false);
    const tasks = expectOk(await d.kmp.request<{ page: { total: number } }>('GET', tasksPath));
    assert.equal(tasks.page.total, 1, 'the task is still there');

    expectOk(await d.kmp.request('DELETE', `${tasksPath}/${task.task_id}`));
    assert.equal((await listed(busy.workspace_id))?.can_delete, true);
    assert.equal(expectOk(await remove(d, busy.workspace_id)), true);
    expectKmpError(await d.kmp.request('POST', tasksPath, { body: picprocessTask('too_late', d.namespace) }), 404, KMP.notFound);
  });

  it('never deletes the default workspace (400 KMP.00021102)', () =>
    changesNothing(d, async () => {
      expectKmpError(await remove(d, defaultWorkspaceId(d.clientId)), 400, KMP.stateNotAllowed);
    }));

  it('answers 404 KMP.00021101 for an unknown or malformed workspace id, deleting nothing', () =>
    changesNothing(d, async () => {
      const some = (await list(d)).data.find((workspace) => workspace.can_delete)!;
      for (const id of [UNKNOWN_WORKSPACE_ID, 'not-an-id', some.workspace_id.toUpperCase(), some.workspace_id.slice(1)]) {
        expectKmpError(await remove(d, id), 404, KMP.notFound);
      }
    }));
});

describe('at most 500 workspaces per client', () => {
  let l: KmpTestClient;
  before(async () => {
    l = await client('kmpwslimit');
    await list(l); // makes the client's directory, with its default workspace
    // 499 creates over HTTP would each rewrite a growing directory (seconds of test time); one
    // write of the directory they would leave does the same. Everything checked goes over HTTP.
    const directory = (await workspaceStore.read(l.clientId))!;
    const now = new Date().toISOString();
    const seeded: Workspace[] = Array.from({ length: 499 }, (_, index) => ({
      workspaceId: newWorkspaceId(),
      name: `seeded_${index}`,
      description: '',
      starred: false,
      createdAt: now,
      updatedAt: now,
      isDefault: false,
    }));
    const next = { workspaces: [...directory.workspaces, ...seeded], version: directory.version + 1 };
    assert.ok(await workspaceStore.replace(l.clientId, next, directory.version));
  });

  const total = async () => (await list(l, { limit: 1 })).page.total;
  const attempt = (name: string): Promise<KmpAnswer> => l.kmp.request('POST', '/v1/workspaces', { body: { workspace_name: name } });

  it('refuses the 501st with 400 KMP.00021104, and takes one again once one is deleted', async () => {
    assert.equal(await total(), 500);
    await changesNothing(l, async () => {
      expectKmpError(await attempt('one_too_many'), 400, KMP.limitReached);
    });
    const [seeded] = (await list(l, { workspace_name: 'seeded_0' })).data;
    assert.equal(expectOk(await remove(l, seeded!.workspace_id)), true);
    assert.equal(await total(), 499);
    expectOk(await attempt('one_too_many'));
    assert.equal(await total(), 500);
    expectKmpError(await attempt('another'), 400, KMP.limitReached);
  });

  it('gives the last place to exactly one of three racing creates', async () => {
    const [seeded] = (await list(l, { workspace_name: 'seeded_1' })).data;
    expectOk(await remove(l, seeded!.workspace_id));
    const answers = await Promise.all(['racer_1', 'racer_2', 'racer_3'].map(attempt));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 400, 400], JSON.stringify(answers));
    for (const answer of answers.filter((each) => each.status === 400)) expectKmpError(answer, 400, KMP.limitReached);
    assert.equal(await total(), 500);
  });
});

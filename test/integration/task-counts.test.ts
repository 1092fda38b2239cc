import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { dynamo } from '../../functions/adapters/aws-clients.ts';
import { taskCounts } from '../../functions/adapters/task-counts.ts';
import { taskStore } from '../../functions/adapters/task-store.ts';
import { newTaskId } from '../../functions/core/task-id.ts';
import { decidedAgainIfBusy } from '../../functions/services/decided-again.ts';
import { allowedFrom, TASK_STATES, type TaskEvent, type TaskState } from '../../functions/core/task-states.ts';
import type { Task } from '../../functions/core/tasks/task.ts';
import { tableName } from '../../functions/resources.ts';
import { useLocalStack } from '../support/local-stack.ts';

useLocalStack({ worker: false });

/**
 * Per-state counts are kept by a counter that changes in its own writes (dynalite has no
 * transactions). These tests race transitions and kill writers between every pair of steps, and
 * check that the counts read are exactly the tasks' states, and stay so once the sweeper settles.
 */
type Next = (args: { input: Record<string, unknown> }) => Promise<unknown>;
interface Stack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
  remove(name: string): boolean;
}
const FAULTS = 'tessera-test-count-faults';
afterEach(() => (dynamo().middlewareStack as unknown as Stack).remove(FAULTS));

/** Seeded, so a failing interleaving can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const EVENTS: readonly TaskEvent[] = [
  'start',
  'stop',
  'dispatch',
  'run',
  'succeed',
  'fail',
  'stopped',
  'archive',
  'unarchive',
  'update',
  'pause',
  'resume',
  'cancel',
];

/**
 * Fails some writes as a writer dying would: before the write is sent, or after DynamoDB applied
 * it but before the writer learned so. `which` picks the writes: the task item's, or the counter's.
 */
function killWriters(next: () => number, rate: number): void {
  (dynamo().middlewareStack as unknown as Stack).add(
    (send, context) => async (args) => {
      const write = ['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand'].includes(context.commandName ?? '');
      if (!write || next() >= rate) return send(args);
      if (next() < 0.5) throw new Error('the writer died before sending');
      await send(args);
      throw new Error('the writer died after DynamoDB applied its write');
    },
    { step: 'initialize', name: FAULTS },
  );
}

async function tally(clientId: string): Promise<Record<TaskState, number>> {
  const counts = Object.fromEntries(TASK_STATES.map((state) => [state, 0])) as Record<TaskState, number>;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await taskStore.listByClient(clientId, { limit: 100, startKey });
    for (const task of page.tasks) counts[task.state] += 1;
    startKey = page.nextKey;
  } while (startKey);
  return counts;
}

const WORKSPACE = 'w0000000000000000000000000000000';
const owner = (clientId: string) => ({ clientId, workspaceId: WORKSPACE });
const scope = (clientId: string) => `workspace:${clientId}/${WORKSPACE}`;
const newTask = (clientId: string) =>
  taskStore.create({ taskId: newTaskId('k'), clientId, workspaceId: WORKSPACE, kind: 'kmp', level: 0, spec: { name: 'counted' } });

/** One random step on one task: a transition the table allows from the state last seen, or a deletion. */
async function randomStep(task: Task, next: () => number): Promise<void> {
  const current = await taskStore.get(task);
  if (!current) return;
  if (next() < 0.08) return taskStore.delete(current, current.version);
  const possible = EVENTS.filter((event) => allowedFrom(event).includes(current.state));
  const event = possible[Math.floor(next() * possible.length)];
  if (event) await taskStore.transition(current, event, { version: current.version });
}

describe('exact task counts under races and dying writers', () => {
  it('count exactly what the tasks say, at every read, with writers dying between steps', async () => {
    const clientId = `tc-counts-${Date.now()}`;
    const next = random(20261201);
    const created = await Promise.allSettled(Array.from({ length: 12 }, () => newTask(clientId)));
    const tasks = created.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
    killWriters(next, 0.15);
    let failures = 0;
    for (let wave = 0; wave < 12; wave++) {
      // Several steps on the same tasks at once: they race on the same versions.
      const steps = Array.from({ length: 16 }, () => tasks[Math.floor(next() * tasks.length)]!);
      const outcomes = await Promise.allSettled(steps.map((task) => randomStep(task, next)));
      failures += outcomes.filter((outcome) => outcome.status === 'rejected').length;
      const [read, truth] = [await taskStore.countByState(owner(clientId)), await tally(clientId)];
      assert.deepEqual(read, truth, `wave ${wave}`);
    }
    // Creations die too: a create killed after it landed is counted, one killed before is not.
    await Promise.allSettled(Array.from({ length: 8 }, () => newTask(clientId)));
    (dynamo().middlewareStack as unknown as Stack).remove(FAULTS);
    assert.ok(failures > 10, `the run killed ${failures} writers`);
    assert.deepEqual(await taskStore.countByState(owner(clientId)), await tally(clientId));

    // The sweeper settles every abandoned change; then the stored counter alone is exact.
    assert.ok((await taskStore.settleAbandonedCounts(Date.now() + 120_000)) > 0);
    const { counts, pending } = await taskCounts.read(scope(clientId));
    assert.deepEqual(pending, []);
    assert.deepEqual(counts, await tally(clientId));
    // The total a workspace's deletion asks about moved with every creation and deletion.
    const held = Object.values(counts).reduce((sum, count) => sum + count, 0);
    assert.ok(held > 0);
    assert.equal((await taskStore.occupancy(clientId, [WORKSPACE])).get(WORKSPACE), held);
    assert.equal(await taskStore.closeWorkspace(owner(clientId)), false, 'a workspace holding tasks does not close');
  });

  it('a change whose writer stalled past its claim is fenced: the late write fails and is never counted', async () => {
    const clientId = `tc-fence-${Date.now()}`;
    const task = await newTask(clientId);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stalled = false;
    (dynamo().middlewareStack as unknown as Stack).add(
      (send, context) => async (args) => {
        const input = args.input as { TableName?: string; UpdateExpression?: string };
        if (
          !stalled &&
          context.commandName === 'UpdateItemCommand' &&
          input.TableName === tableName('tasks') &&
          input.UpdateExpression?.startsWith('SET')
        ) {
          stalled = true;
          await held;
        }
        return send(args);
      },
      { step: 'initialize', name: FAULTS },
    );
    const late = taskStore.transition(task, 'start', { version: 1 });
    while (!stalled) await new Promise((resolve) => setTimeout(resolve, 10));
    // The claim looks abandoned to a sweeper running a while later: it fences the task.
    assert.equal(await taskStore.settleAbandonedCounts(Date.now() + 120_000), 1);
    release();
    await assert.rejects(late, { kind: 'conflict' });
    const after = await taskStore.require(task);
    assert.equal(after.state, 'INIT');
    assert.equal((await taskStore.countByState(owner(clientId))).INIT, 1);
    assert.equal((await taskStore.countByState(owner(clientId))).PENDING, 0);
    assert.deepEqual((await taskCounts.read(scope(clientId))).pending, []);
    // The task goes on as before: the next change is decided on its new version.
    await taskStore.transition(after, 'start');
    assert.deepEqual(
      [(await taskStore.countByState(owner(clientId))).INIT, (await taskStore.countByState(owner(clientId))).PENDING],
      [0, 1],
    );
  });

  it('a create that stalled past its claim is refused by a tombstone, which no list or read shows', async () => {
    const clientId = `tc-tomb-${Date.now()}`;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stalled = false;
    (dynamo().middlewareStack as unknown as Stack).add(
      (send, context) => async (args) => {
        if (
          !stalled &&
          context.commandName === 'PutItemCommand' &&
          (args.input as { TableName?: string }).TableName === tableName('tasks')
        ) {
          stalled = true;
          await held;
        }
        return send(args);
      },
      { step: 'initialize', name: FAULTS },
    );
    const taskId = newTaskId('k');
    const late = taskStore.create({ taskId, clientId, workspaceId: WORKSPACE, kind: 'kmp', level: 0, spec: { name: 'late' } });
    while (!stalled) await new Promise((resolve) => setTimeout(resolve, 10));
    (dynamo().middlewareStack as unknown as Stack).remove(FAULTS);
    assert.equal(await taskStore.settleAbandonedCounts(Date.now() + 120_000), 1);
    release();
    await assert.rejects(late, { kind: 'conflict' });
    assert.equal(await taskStore.get({ clientId, taskId }), undefined);
    assert.deepEqual((await taskStore.listByClient(clientId, { limit: 10 })).tasks, []);
    assert.equal(
      Object.values(await taskStore.countByState(owner(clientId))).reduce((sum, count) => sum + count, 0),
      0,
    );
  });

  it('a writer that died after its write blocks nobody: the next change counts it and goes on', async () => {
    const clientId = `tc-dead-${Date.now()}`;
    const task = await newTask(clientId);
    // The writer dies after its task write landed, and so (the process being gone) does its own
    // attempt to settle: its claim stays on the counter, fresh.
    let stage = 'write';
    (dynamo().middlewareStack as unknown as Stack).add(
      (send, context) => async (args) => {
        const input = args.input as { TableName?: string };
        if (stage === 'settle' && context.commandName === 'UpdateItemCommand' && input.TableName === tableName('taskCounts')) {
          stage = 'dead';
          throw new Error('the writer is gone');
        }
        const result = await send(args);
        if (stage === 'write' && context.commandName === 'UpdateItemCommand' && input.TableName === tableName('tasks')) {
          stage = 'settle';
          throw new Error('the writer died after DynamoDB applied its write');
        }
        return result;
      },
      { step: 'initialize', name: FAULTS },
    );
    await assert.rejects(taskStore.transition(task, 'start'), /the writer died/);
    (dynamo().middlewareStack as unknown as Stack).remove(FAULTS);
    assert.equal(stage, 'dead');
    assert.equal((await taskCounts.read(scope(clientId))).pending.length, 1);
    // The claim is fresh, but the task shows it: the next change need not wait for it to go stale.
    const started = await taskStore.require(task);
    assert.equal(started.state, 'PENDING');
    await taskStore.transition(started, 'dispatch');
    assert.deepEqual((await taskCounts.read(scope(clientId))).pending, []);
    const counts = await taskCounts.read(scope(clientId));
    assert.deepEqual([counts.counts.INIT, counts.counts.PENDING, counts.counts.STARTING], [0, 0, 1]);
  });

  it('a change in flight but not stale holds its task: a second writer is told to try again', async () => {
    const clientId = `tc-busy-${Date.now()}`;
    const task = await newTask(clientId);
    const change = { claim: 'someone-else', from: 'INIT' as const, to: 'PENDING' as const, version: 1, at: Date.now() };
    assert.equal(await taskCounts.claim(scope(clientId), task.taskId, change), undefined);
    await assert.rejects(taskStore.transition(task, 'start'), {
      kind: 'conflict',
      message: `task ${task.taskId} is being changed by another request; try again`,
    });
    assert.equal((await taskStore.require(task)).state, 'INIT');
    // A reader counts it where its task says it is: the claimed change never reached the task.
    assert.equal((await taskStore.countByState(owner(clientId))).INIT, 1);
  });

  it('a change that meets another in the moment of its write is decided again on what that left', async () => {
    const clientId = `tc-again-${Date.now()}`;
    const task = await newTask(clientId);
    const other = { claim: 'a-worker-step', from: 'INIT' as const, to: 'INIT' as const, version: 1, at: Date.now() };
    assert.equal(await taskCounts.claim(scope(clientId), task.taskId, other), undefined);
    let tries = 0;
    const started = decidedAgainIfBusy(task, async (current) => {
      tries += 1;
      // The other writer finished while this one waited: its slot is free for the second try.
      if (tries === 2) await taskCounts.release(scope(clientId), task.taskId, other.claim);
      return taskStore.transition(current, 'start', { version: current.version });
    });
    assert.equal((await started).state, 'PENDING');
    assert.equal(tries, 2);
    // Decided again, a change the state table now refuses is refused for its state, not as busy.
    const refused = decidedAgainIfBusy(task, (current) => taskStore.transition(current, 'archive', { version: current.version }));
    await assert.rejects(refused, { kind: 'conflict', reason: 'StateNotAllowed' });
    assert.equal((await taskStore.countByState(owner(clientId))).PENDING, 1);
  });
});

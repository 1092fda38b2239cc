import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { TaskState } from '../../functions/core/task-states.ts';
import type { KmpAnswer } from '../support/kmp.ts';
import {
  CONTROL_ACTIONS,
  KMP_ERRORS,
  KmpTasks,
  koomapWord,
  pathsFromCreation,
  REAL3D_ACTIONS,
  taskInState,
  taskOutcome,
  type Action,
  type KmpError,
  type TaskAction,
  type TaskDto,
} from '../support/kmp-tasks.ts';
import { useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * Clients racing actions on one task, round after round: every transition is one conditional
 * write, so of actions that exclude each other exactly one wins, each loser gets a KooMap error
 * that fits the states it may have met, and every count stays exact. No worker runs: only the
 * racing requests move a task (set up through the task store, see driveThrough).
 */
const CLIENT = 'tckmpraces0000000001';
const SECRET = 'kmp-races-secret';
const stack = useLocalStack({ demo: { clientId: CLIENT, secret: SECRET, namespace: 'kr' }, worker: false });
const kmp = () => new KmpTasks(stack.current.url, CLIENT, SECRET);

/** The states a client's actions can meet a task in (every state the table reaches from creation). */
const STATES: TaskState[] = [...pathsFromCreation('task').keys()];
/** Update is left out: it leads from INIT back to INIT, so it never excludes anything. */
const RACED: readonly TaskAction[] = ['start', 'stop', 'archive', 'unarchive', 'delete'];
const ROUNDS_PER_STATE = 3;

let workspaceId: string;
let sequence = 0;
/** What the tasks of the workspace are, by this test's own account: their KooMap statuses by id. */
const expected = new Map<string, string>();

before(async () => {
  await stack.ready();
  await kmp().upload('kr/in/pano.jpg', await gradientJpeg(128, 64));
  workspaceId = await kmp().createWorkspace('races');
});

async function newTask(state: TaskState): Promise<TaskDto> {
  const task = await taskInState(
    kmp(),
    workspaceId,
    { task_name: `race_${(sequence += 1)}`, task_type: 'PANORAMA', input_object: 'kr/in/pano.jpg' },
    state,
  );
  expected.set(task.task_id, task.task_status);
  return task;
}

/** Where `action` leaves a task in `state` (`null`: deleted; undefined: refused). */
const result = (state: TaskState | null, action: TaskAction) => (state === null ? undefined : taskOutcome(state, action));

/**
 * The actions of which at most one can succeed from `state`, whatever the order they land in:
 * those that no allowed one's result allows again (from PENDING, stop leads to INIT, where start
 * and delete are allowed, so they are left out of its race). Computed from the table.
 */
function exclusiveFrom(state: TaskState): TaskAction[] {
  let actions = [...RACED];
  for (;;) {
    const reopened = new Set(
      actions.flatMap((action) => {
        const reached = result(state, action);
        return reached === undefined ? [] : actions.filter((other) => result(reached, other) !== undefined);
      }),
    );
    if (reopened.size === 0) return actions;
    actions = actions.filter((action) => !reopened.has(action));
  }
}

/** Each action through both families, real3d and kmp-control: they must race as one. */
const senders = (action: TaskAction): Action[] => [...REAL3D_ACTIONS, ...CONTROL_ACTIONS].filter((sender) => sender.event === action);

interface Outcome {
  readonly action: TaskAction;
  readonly answer: KmpAnswer;
}

/** Seeded, so a failing interleaving can be replayed. */
function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

/** Spreads a race's requests over up to `spread` turns of the event loop: later ones may meet the earlier ones' results. */
const stagger = (next: () => number, spread: number) => async () => {
  for (let turns = Math.floor(next() * spread); turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
};

/** Sends every action through both families at once, each after `wait()`. */
async function race(task: TaskDto, actions: readonly TaskAction[], wait: () => Promise<void> = async () => {}): Promise<Outcome[]> {
  const sends = actions.flatMap((action) => senders(action).map((sender) => ({ action, sender })));
  return Promise.all(
    sends.map(async ({ action, sender }) => {
      await wait();
      return { action, answer: await sender.send(kmp(), task) };
    }),
  );
}

const isWin = (outcome: Outcome) => outcome.answer.status === 200;
const describeOutcomes = (outcomes: readonly Outcome[]) =>
  outcomes.map(({ action, answer }) => `${action}: ${answer.status} ${JSON.stringify(answer.body)}`).join('\n');

/**
 * A loser's answer (docs/kmp.md "States and rules"): 400 KMP.00021102 in a state that does not
 * allow its action, 404 KMP.00021101 once the task is deleted, or 409 KMP.00021105 ("changed
 * meanwhile; try again"), which only a task that did change meanwhile can answer. It may have met
 * the task in any of `statesItMayHaveMet` (null: deleted).
 */
function assertLoserAnswer(loser: Outcome, statesItMayHaveMet: ReadonlyArray<TaskState | null>): void {
  const { status } = loser.answer;
  const code = (loser.answer.body as KmpError).error_code;
  const refusedIn = statesItMayHaveMet.filter((state) => state !== null && result(state, loser.action) === undefined);
  const fitting =
    (status === 400 && code === KMP_ERRORS.stateNotAllowed && refusedIn.length > 0) ||
    (status === 404 && code === KMP_ERRORS.notFound && statesItMayHaveMet.includes(null)) ||
    (status === 409 && code === KMP_ERRORS.busy && statesItMayHaveMet.length > 1);
  assert.ok(fitting, `${loser.action} lost with ${status} ${code}; it may have met ${statesItMayHaveMet.join(', ')}`);
}

/** Every count the workspace answers with matches a recount of its list, which matches this test's own account. */
async function assertCountsExact(context: string): Promise<void> {
  const tasks = await kmp().assertCountsExact(workspaceId, context);
  assert.deepEqual(new Map(tasks.map((task) => [task.task_id, task.task_status])), expected, `the tasks the list shows ${context}`);
}

describe('racing actions on one task', () => {
  it('exactly one of actions that exclude each other wins; the others get fitting KooMap errors; counts exact after every round', async () => {
    for (const state of STATES) {
      const actions = exclusiveFrom(state);
      const allowed = actions.filter((action) => result(state, action) !== undefined);
      for (let round = 0; round < ROUNDS_PER_STATE; round++) {
        const context = `from ${state}, round ${round}, racing ${actions.join(', ')}`;
        const task = await newTask(state);
        const outcomes = await race(task, actions);
        const winners = outcomes.filter(isWin);
        assert.equal(winners.length, allowed.length > 0 ? 1 : 0, `${context}:\n${describeOutcomes(outcomes)}`);
        const reached = winners.length ? result(state, winners[0]!.action)! : state;
        const met = winners.length ? [state, reached] : [state];
        for (const loser of outcomes.filter((outcome) => !isWin(outcome))) assertLoserAnswer(loser, met);
        const shown = await kmp().task(workspaceId, task.task_id);
        if (reached === null) {
          assert.equal(shown, undefined, context);
          expected.delete(task.task_id);
        } else {
          assert.equal(shown?.task_status, koomapWord(reached), context);
          expected.set(task.task_id, koomapWord(reached));
        }
        await assertCountsExact(context);
      }
    }
  });

  it('any mix of start, stop, archive, unarchive and delete ends where some order of its winners leads; counts exact after every round', async () => {
    const next = random(20261201);
    for (const state of ['INIT', 'PENDING', 'SUCCESS', 'STOP_SUCCESS'] satisfies TaskState[]) {
      for (let round = 0; round < ROUNDS_PER_STATE; round++) {
        const context = `from ${state}, round ${round}, racing ${RACED.join(', ')}`;
        const task = await newTask(state);
        const outcomes = await race(task, RACED, stagger(next, 200 * round));
        const shown = await kmp().task(workspaceId, task.task_id);
        const final = shown === undefined ? null : (shown.task_status as TaskState);
        const path = serialOrder(
          state,
          outcomes.filter(isWin).map((outcome) => outcome.action),
          final,
        );
        assert.ok(path, `${context}: no order of the winners leads to ${final}:\n${describeOutcomes(outcomes)}`);
        for (const loser of outcomes.filter((outcome) => !isWin(outcome))) assertLoserAnswer(loser, path);
        if (final === null) expected.delete(task.task_id);
        else expected.set(task.task_id, final);
        await assertCountsExact(context);
      }
    }
  });
});

/**
 * The states a task passes through when `winners` are applied in some order the table allows,
 * ending at `final` (null: deleted); undefined when no order does.
 */
function serialOrder(
  state: TaskState | null,
  winners: readonly TaskAction[],
  final: TaskState | null,
): Array<TaskState | null> | undefined {
  if (winners.length === 0) return (state === null ? final === null : koomapWord(state) === final) ? [state] : undefined;
  for (const [index, action] of winners.entries()) {
    const next = result(state, action);
    if (next === undefined) continue;
    const rest = serialOrder(next, [...winners.slice(0, index), ...winners.slice(index + 1)], final);
    if (rest) return [state, ...rest];
  }
  return undefined;
}

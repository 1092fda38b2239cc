import { dynamo, kms, s3 } from '../functions/adapters/aws-clients.ts';
import { clientRegistry } from '../functions/adapters/client-registry.ts';
import { taskStore } from '../functions/adapters/task-store.ts';
import { newTaskId } from '../functions/core/task-id.ts';
import type { TaskEvent, TaskState } from '../functions/core/task-states.ts';
import type { Client } from '../functions/core/client.ts';
import { workspaces } from '../functions/services/workspaces.ts';
import type { LocalStack } from '../local/local-stack.ts';
import { KmpClient, type KmpAnswer } from '../test/support/kmp.ts';
import { ms, percentile, verdict, type Row } from './stats.ts';

/**
 * The kmp dialect's task lists and counts at scale, over HTTP, signed as Huawei's SDK signs: a
 * workspace of BENCH_KMP_TASKS (10,000) tasks, one of 100 tasks beside it (same client), and one
 * of 100 of a client with nothing else (the baseline "at 100 tasks"). Measured: list limit=100
 * (first page, last page, by task_status, by task_type), tasks/overview and kmp-control's
 * overview. The goal (the issue): ≤ 50 ms p99 at 10,000 tasks, and overviews whose cost does not
 * grow with the number of tasks, shown by their time at 10,000 against 100 and by the DynamoDB
 * requests each call makes (counted in-process: the local stack runs the handlers in this
 * process). Every answer is first checked against what was seeded, so a broken route cannot bench fast.
 */

const P99_GOAL_MS = 50;
/** A slow measure stops after this long (with at least MIN_SAMPLES), so a regression cannot stall the bench. */
const BUDGET_MS = 60_000;
const MIN_SAMPLES = 30;
const WARMUP = 10;
/** Tasks seeded at once: each is a chain of store writes, all on one counter item. */
const SEED_PARALLEL = 32;

/** How the seeded tasks are spread: the state each ends in, the events after creation that take it there, and its weight. */
const PLAN: ReadonlyArray<{ readonly state: TaskState; readonly via: readonly TaskEvent[]; readonly weight: number }> = [
  { state: 'INIT', via: [], weight: 4 },
  { state: 'PENDING', via: [], weight: 2 },
  { state: 'PAUSED', via: ['pause'], weight: 1 },
  { state: 'STARTING', via: ['dispatch'], weight: 1 },
  { state: 'RUNNING', via: ['dispatch', 'run'], weight: 2 },
  { state: 'SUCCESS', via: ['dispatch', 'run', 'succeed'], weight: 4 },
  { state: 'ARCHIVED', via: ['dispatch', 'run', 'succeed', 'archive'], weight: 2 },
  { state: 'FAILED', via: ['dispatch', 'run', 'fail'], weight: 2 },
  { state: 'START_FAILED', via: ['dispatch', 'fail'], weight: 1 },
  { state: 'CANCELLED', via: ['cancel'], weight: 1 },
];
const WEIGHTS = PLAN.reduce((sum, entry) => sum + entry.weight, 0);

/** What the pipeline would have set on the way (so items are the size real ones are). */
const EXTRA: Partial<Record<TaskEvent, () => Record<string, unknown>>> = {
  run: () => ({ startedAt: new Date().toISOString(), progress: 0.4 }),
  succeed: () => ({ endedAt: new Date().toISOString(), progress: 1 }),
  fail: () => ({ endedAt: new Date().toISOString(), error: { code: 'InputUnreadable', message: 'the input is not an image' } }),
};

/** Seeded, so every run seeds the same mix. */
function random(seed: number) {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

interface SeededTask {
  readonly taskId: string;
  readonly createdAt: string;
  readonly state: TaskState;
  readonly type: 'PANORAMA' | 'PICPROCESS';
}

interface Seeded {
  readonly workspaceId: string;
  /** Every task, newest first. */
  readonly tasks: readonly SeededTask[];
  readonly count: (...states: TaskState[]) => number;
  readonly seconds: number;
}

/**
 * Seeds `count` tasks through the task store itself, the path every change of state takes (task
 * item and counter, claim by claim), SEED_PARALLEL tasks at a time. Not over HTTP: 10,000 creates
 * and their ~17,500 transitions through the API would take minutes, and only reading is measured.
 * Task names are not claimed (nothing read here looks at the name claims).
 */
async function seed(client: Client, name: string, count: number, next: () => number): Promise<Seeded> {
  const workspace = await workspaces.create(client, { name, description: `kmp bench: ${count} tasks` });
  const planned = Array.from({ length: count }, (_, index) => {
    let pick = next() * WEIGHTS;
    const entry = PLAN.find((candidate) => (pick -= candidate.weight) < 0) ?? PLAN[0]!;
    return { index, entry, kind: next() < 0.4 ? ('panorama' as const) : ('picprocess' as const) };
  });
  const made: SeededTask[] = [];
  const started = performance.now();
  let cursor = 0;
  await Promise.all(
    Array.from({ length: SEED_PARALLEL }, async () => {
      while (cursor < planned.length) {
        const { index, entry, kind } = planned[cursor++]!;
        const common = {
          clientId: client.clientId,
          workspaceId: workspace.workspaceId,
          name: `bench_${String(index).padStart(5, '0')}`,
          description: `seeded task ${index} of ${count}`,
          level: 0,
          state: entry.state === 'INIT' ? ('INIT' as const) : ('PENDING' as const),
        };
        const object = `bench/in/${index}.jpg`;
        const task =
          kind === 'panorama'
            ? await taskStore.create({
                ...common,
                taskId: newTaskId('t'),
                kind,
                spec: {
                  key: `kmpbench/${object}`,
                  etag: '"5d41402abc4b2a76b9719d911017c592"',
                  extension: 'jpg',
                  format: 'jpeg',
                  qualities: { fallback: 80, levels: [80, 80, 85, 90] },
                },
              })
            : await taskStore.create({
                ...common,
                taskId: newTaskId('j'),
                kind,
                spec: {
                  input: { key: `kmpbench/${object}`, address: { bucket: 'kmpbench-1250000000', region: 'ap-local', object } },
                  output: {
                    key: `kmpbench/bench/out/${index}.jpg`,
                    address: { bucket: 'kmpbench-1250000000', region: 'ap-local', object: `bench/out/${index}.jpg` },
                  },
                  rule: 'imageMogr2/thumbnail/256x/format/webp',
                  describeOriginal: false,
                },
              });
        for (const event of entry.via) await taskStore.transition(task, event, { set: EXTRA[event]?.() ?? {} });
        made.push({
          taskId: task.taskId,
          createdAt: task.createdAt,
          state: entry.state,
          type: kind === 'panorama' ? 'PANORAMA' : 'PICPROCESS',
        });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  made.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return {
    workspaceId: workspace.workspaceId,
    tasks: made,
    count: (...states) => made.filter((task) => states.includes(task.state)).length,
    seconds,
  };
}

interface SdkCall {
  readonly command: string;
  readonly ms: number;
  /** Items a Query read. */
  readonly scanned?: number;
}

type Next = (args: unknown) => Promise<{ output?: { ScannedCount?: number } }>;
interface RecordableStack {
  add(middleware: (next: Next, context: { commandName?: string }) => Next, options: { step: 'initialize'; name: string }): void;
  remove(name: string): boolean;
}
const RECORDER = 'tessera-bench-kmp-recorder';
const thousands = (value: number) => value.toLocaleString('en-US');

/**
 * The AWS requests the handlers send while `action` runs, each with its time (and what a Query
 * read), recorded as test/support/sdk-calls.ts records them: a middleware on the shared clients.
 */
async function sdkCallsDuring(action: () => Promise<unknown>): Promise<Recorded> {
  const calls: SdkCall[] = [];
  const clients = [dynamo(), s3(), kms()];
  for (const client of clients) {
    (client.middlewareStack as unknown as RecordableStack).add(
      (next, context) => async (args) => {
        const started = performance.now();
        const result = await next(args);
        calls.push({
          command: (context.commandName ?? 'unknown').replace(/Command$/, ''),
          ms: performance.now() - started,
          scanned: result.output?.ScannedCount,
        });
        return result;
      },
      { step: 'initialize', name: RECORDER },
    );
  }
  const started = performance.now();
  try {
    await action();
  } finally {
    for (const client of clients) (client.middlewareStack as unknown as RecordableStack).remove(RECORDER);
  }
  return { calls, ms: performance.now() - started };
}

interface Recorded {
  readonly calls: readonly SdkCall[];
  /** The whole request, as the client saw it. */
  readonly ms: number;
}

/**
 * One request's calls, five times over (after the warm-up): the fewest of them (a scheduled job
 * running alongside adds its own), and the run of median time, to tell where the time goes.
 */
async function recordCalls(request: () => Promise<unknown>): Promise<{ fewest: Recorded; typical: Recorded }> {
  const runs: Recorded[] = [];
  for (let index = 0; index < 5; index++) runs.push(await sdkCallsDuring(request));
  return {
    fewest: runs.reduce((fewest, run) => (run.calls.length < fewest.calls.length ? run : fewest)),
    typical: [...runs].sort((a, b) => a.ms - b.ms)[2]!,
  };
}

const describeCalls = (calls: readonly SdkCall[]) => {
  const byCommand = new Map<string, number>();
  for (const call of calls) byCommand.set(call.command, (byCommand.get(call.command) ?? 0) + 1);
  return `${calls.length} (${[...byCommand].map(([command, times]) => `${command} ×${times}`).join(', ')})`;
};

/** Where a list's time went: the time in each kind of request (and the items its Queries read), of the whole. */
function timeSplit({ calls, ms: total }: Recorded): string | undefined {
  if (!calls.some((call) => call.command === 'Query')) return undefined;
  const byCommand = new Map<string, SdkCall[]>();
  for (const call of calls) byCommand.set(call.command, [...(byCommand.get(call.command) ?? []), call]);
  const parts = [...byCommand].map(([command, all]) => {
    const read = all.reduce((sum, call) => sum + (call.scanned ?? 0), 0);
    const spent = all.reduce((sum, call) => sum + call.ms, 0);
    return `${command} ×${all.length}${command === 'Query' ? ` (${thousands(read)} items read)` : ''} ${ms(spent)}`;
  });
  return `${parts.join(', ')}; request ${ms(total)}`;
}

async function timeUpTo(rounds: number, run: () => Promise<unknown>): Promise<number[]> {
  for (let index = 0; index < Math.min(WARMUP, rounds); index++) await run();
  const samples: number[] = [];
  const deadline = performance.now() + BUDGET_MS;
  while (samples.length < rounds && (samples.length < MIN_SAMPLES || performance.now() < deadline)) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

interface ListBody {
  readonly tasks: ReadonlyArray<{ readonly task_id: string; readonly task_status: string }>;
  readonly page: { readonly offset: number; readonly limit: number; readonly total: number };
}
type Counts = Record<string, number>;

/**
 * What is wrong with a list answer, given every task it may list newest first, and the offset
 * asked; undefined if nothing. Tasks made in the same millisecond may come in either order: each
 * task listed must be one of those expected, once, and as new as the one expected at its place.
 */
function wrongList(answer: KmpAnswer, matching: readonly SeededTask[], offset: number): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`;
  const body = answer.body as ListBody;
  if (body.page?.total !== matching.length) return `page.total ${body.page?.total}, seeded ${matching.length}`;
  const expected = matching.slice(offset, offset + 100);
  const ids = body.tasks.map((task) => task.task_id);
  if (ids.length !== expected.length) return `${ids.length} tasks, expected ${expected.length}`;
  if (new Set(ids).size !== ids.length) return 'a task is listed twice';
  const byId = new Map(matching.map((task) => [task.taskId, task]));
  const at = ids.findIndex((id, index) => byId.get(id)?.createdAt !== expected[index]!.createdAt);
  return at >= 0
    ? `task ${at} is ${ids[at]} (${byId.get(ids[at]!)?.createdAt ?? 'not expected'}), expected ${expected[at]!.taskId}`
    : undefined;
}

function wrongCounts(answer: KmpAnswer, expected: Counts): string | undefined {
  if (answer.status !== 200) return `status ${answer.status}: ${JSON.stringify(answer.body).slice(0, 200)}`;
  const body = answer.body as Counts;
  const off = Object.entries(expected).filter(([name, count]) => body[name] !== count);
  return off.length ? off.map(([name, count]) => `${name} ${body[name]}, seeded ${count}`).join('; ') : undefined;
}

interface Measure {
  readonly label: string;
  readonly request: () => Promise<KmpAnswer>;
  readonly wrong: (answer: KmpAnswer) => string | undefined;
  /** The same call on a workspace of 100 tasks (of a client holding no others): it must cost no fewer requests. */
  readonly atHundred?: () => Promise<unknown>;
}

/** kmp list and overview latency, and DynamoDB requests per call, at 10,000 tasks and at 100. */
export async function benchKmp(
  stack: LocalStack,
  rounds: number,
  taskCount = Number(process.env.BENCH_KMP_TASKS ?? 10_000),
): Promise<Row[]> {
  const next = random(20_260_501);
  const clients = [
    await clientRegistry.create({ name: 'kmp bench, 10,000 tasks', namespaces: ['kmpbench'] }),
    await clientRegistry.create({ name: 'kmp bench, 100 tasks', namespaces: ['kmpbench'] }),
  ] as const;
  // A 100-task workspace beside the large one (seeded first: the large one's tasks are then the
  // newest in the client's partition), and one of a client with no other tasks: the baseline.
  const beside = await seed(clients[0].client, 'bench_beside', 100, next);
  const large = await seed(clients[0].client, 'bench_large', taskCount, next);
  const small = await seed(clients[1].client, 'bench_small', 100, next);
  const signed = clients.map(({ client, secret }) => new KmpClient(stack.url, { accessKey: client.clientId, secretKey: secret }));
  const kmpOf = (workspace: Seeded) => signed[workspace === small ? 1 : 0]!;
  const base = (workspace: Seeded) => `/v1/real3d/${workspace.workspaceId}/tasks`;
  const list = (workspace: Seeded, query: Record<string, string | number> = {}) =>
    kmpOf(workspace).request('GET', base(workspace), { query: { limit: 100, ...query } });
  const overview = (workspace: Seeded) => kmpOf(workspace).request('GET', `${base(workspace)}/overview`);
  const control = (workspace: Seeded) =>
    kmpOf(workspace).request('GET', '/v1/kmp-control/tasks/overview', { query: { workspace_id: workspace.workspaceId } });

  const visible = (workspace: Seeded) => workspace.tasks.filter((task) => task.state !== 'ARCHIVED');
  const inState = (workspace: Seeded, state: TaskState) => workspace.tasks.filter((task) => task.state === state);
  const ofType = (workspace: Seeded, type: SeededTask['type']) => visible(workspace).filter((task) => task.type === type);
  /** The offset of the last full page of the default list. */
  const lastPage = (workspace: Seeded) => Math.max(0, visible(workspace).length - 100);
  /** The page in the middle: the farthest from both ends of the listing index, the worst case. */
  const middlePage = (workspace: Seeded) => Math.floor(visible(workspace).length / 200) * 100;
  const running = ['PENDING', 'PAUSED', 'STARTING', 'RUNNING', 'STOPPING'] as const;
  const overviewOf = (workspace: Seeded): Counts => ({
    total_count: workspace.tasks.length,
    running_count: workspace.count(...running),
    success_count: workspace.count('SUCCESS', 'STOP_SUCCESS', 'CANCELLED'),
    failed_count: workspace.count('FAILED', 'START_FAILED'),
    archived_count: workspace.count('ARCHIVED'),
  });
  // docs/kmp.md: unfinished is what is executing; a task never started (INIT) is in neither.
  const controlOf = (workspace: Seeded): Counts => ({
    total: workspace.tasks.length,
    finished: workspace.count('SUCCESS', 'STOP_SUCCESS', 'CANCELLED', 'FAILED', 'START_FAILED', 'ARCHIVED', 'BUNDLE_SUCCESS'),
    unfinished: workspace.count(...running),
  });
  const N = thousands(taskCount);
  const count = (tasks: readonly unknown[]) => thousands(tasks.length);

  const overviewLarge: Measure = {
    label: `tasks/overview, ${N} tasks`,
    request: () => overview(large),
    wrong: (answer) => wrongCounts(answer, overviewOf(large)),
    atHundred: () => overview(small),
  };
  const overviewSmall: Measure = {
    label: 'tasks/overview, 100 tasks',
    request: () => overview(small),
    wrong: (answer) => wrongCounts(answer, overviewOf(small)),
  };
  const measures: Measure[] = [
    {
      label: `list limit=100, first page, ${N} tasks`,
      request: () => list(large),
      wrong: (answer) => wrongList(answer, visible(large), 0),
      atHundred: () => list(small),
    },
    {
      label: `list limit=100, offset=${thousands(middlePage(large))} (middle page), ${N} tasks`,
      request: () => list(large, { offset: middlePage(large) }),
      wrong: (answer) => wrongList(answer, visible(large), middlePage(large)),
      atHundred: () => list(small, { offset: middlePage(small) }),
    },
    {
      label: `list limit=100, offset=${thousands(lastPage(large))} (last page), ${N} tasks`,
      request: () => list(large, { offset: lastPage(large) }),
      wrong: (answer) => wrongList(answer, visible(large), lastPage(large)),
      atHundred: () => list(small, { offset: lastPage(small) }),
    },
    {
      label: `list limit=100, task_status=FAILED (${count(inState(large, 'FAILED'))}), ${N} tasks`,
      request: () => list(large, { task_status: 'FAILED' }),
      wrong: (answer) => wrongList(answer, inState(large, 'FAILED'), 0),
      atHundred: () => list(small, { task_status: 'FAILED' }),
    },
    {
      label: `list limit=100, task_type=PANORAMA (${count(ofType(large, 'PANORAMA'))}), ${N} tasks`,
      request: () => list(large, { task_type: 'PANORAMA' }),
      wrong: (answer) => wrongList(answer, ofType(large, 'PANORAMA'), 0),
      atHundred: () => list(small, { task_type: 'PANORAMA' }),
    },
    {
      label: `list limit=100, 100 tasks beside the ${N}`,
      request: () => list(beside),
      wrong: (answer) => wrongList(answer, visible(beside), 0),
      atHundred: () => list(small),
    },
    overviewLarge,
    overviewSmall,
    {
      label: `kmp-control overview, ${N} tasks`,
      request: () => control(large),
      wrong: (answer) => wrongCounts(answer, controlOf(large)),
      atHundred: () => control(small),
    },
  ];

  const seconds = beside.seconds + large.seconds + small.seconds;
  const rows: Row[] = [
    {
      measure: `seed ${N} + 2 × 100 tasks through taskStore, ${SEED_PARALLEL} at once`,
      value: `${seconds.toFixed(1)} s (${((taskCount + 200) / seconds).toFixed(0)} tasks/s)`,
    },
  ];
  const wrongAnswers: string[] = [];
  const p50s = new Map<Measure, number>();
  for (const measure of measures) {
    const problem = measure.wrong(await measure.request());
    if (problem) wrongAnswers.push(`${measure.label}: ${problem}`);
    const samples = await timeUpTo(rounds, measure.request);
    const recorded = await recordCalls(measure.request);
    const [p50, p99] = [percentile(samples, 50), percentile(samples, 99)];
    p50s.set(measure, p50);
    const suffix = samples.length < rounds ? ` (${samples.length} rounds)` : '';
    rows.push({ measure: `${measure.label}, p50${suffix}`, value: ms(p50) });
    rows.push({
      measure: `${measure.label}, p99${suffix}`,
      value: ms(p99),
      goal: `≤ ${P99_GOAL_MS} ms`,
      verdict: verdict(!problem && p99 <= P99_GOAL_MS),
    });
    const baseline = measure.atHundred && (await recordCalls(measure.atHundred)).fewest.calls.length;
    rows.push({
      measure: `${measure.label}, DynamoDB requests`,
      value: describeCalls(recorded.fewest.calls),
      ...(baseline === undefined
        ? {}
        : { goal: `≤ ${baseline}, as at 100 tasks`, verdict: verdict(recorded.fewest.calls.length <= baseline) }),
    });
    const split = timeSplit(recorded.typical);
    if (split) rows.push({ measure: `${measure.label}, where the time goes`, value: split });
  }
  const ratio = p50s.get(overviewLarge)! / p50s.get(overviewSmall)!;
  rows.push({
    measure: `tasks/overview p50, ${N} tasks ÷ 100 tasks`,
    value: `${ratio.toFixed(2)}×`,
    goal: '≤ 1.5× (flat)',
    verdict: verdict(ratio <= 1.5),
  });
  rows.push({
    measure: 'answers checked against the seeded tasks',
    value: wrongAnswers.length ? `WRONG: ${wrongAnswers.join(' | ')}` : `${measures.length}/${measures.length} exact`,
    goal: 'all exact',
    verdict: verdict(wrongAnswers.length === 0),
  });
  return rows;
}

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { dynamo, s3 } from '../../functions/adapters/aws-clients.ts';
import { objectStore } from '../../functions/adapters/object-store.ts';
import { FACES } from '../../functions/core/panorama/layout.ts';
import { bucketName, tableName } from '../../functions/resources.ts';
import { CiClient, jobXml, tag } from '../support/ci.ts';
import { KMP_ERRORS, KmpTasks, taskPath, until, type KmpError, type TaskDto } from '../support/kmp-tasks.ts';
import { postForm, useLocalStack } from '../support/local-stack.ts';
import { gradientJpeg } from '../support/synthetic-images.ts';

/**
 * kmp tasks on the real pipeline: the stack's own worker loop builds panoramas and runs jobs as
 * `npm start` does, and each dialect shows the same tasks in its own words. Where a test must
 * act while a build is under way, it holds some of the build's S3 writes until it has acted
 * (watchPuts), so the build is mid-way whatever the machine's speed.
 */
const CLIENT = 'tckmppipeline0000001';
const SECRET = 'kmp-pipeline-secret';
const NAMESPACE = 'kp';
const stack = useLocalStack({ demo: { clientId: CLIENT, secret: SECRET, namespace: NAMESPACE }, worker: {} });
const kmp = () => new KmpTasks(stack.current.url, CLIENT, SECRET);
const ci = () => new CiClient(stack.current.url, CLIENT, SECRET);

const INPUTS = {
  room: `${NAMESPACE}/in/room.jpg`,
  hall: `${NAMESPACE}/in/hall.jpg`,
  huge: `${NAMESPACE}/in/huge.jpg`,
  photo: `${NAMESPACE}/in/photo.jpg`,
};

let workspaceId: string;
let sequence = 0;
const uniqueName = (prefix: string) => `${prefix}_${(sequence += 1)}`;

before(async () => {
  await stack.ready();
  for (const key of [INPUTS.room, INPUTS.hall]) await kmp().upload(key, await gradientJpeg(2048, 1024));
  // Big enough that projecting and encoding its faces takes a while: the build is well under way when it is stopped.
  await kmp().upload(INPUTS.huge, await gradientJpeg(8192, 4096));
  await kmp().upload(INPUTS.photo, await gradientJpeg(400, 300));
  workspaceId = await kmp().createWorkspace('pipeline');
});

interface Middleware {
  add(
    middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { commandName?: string }) => typeof next,
    options: { step: 'initialize'; name: string },
  ): void;
  remove(name: string): boolean;
}
const s3Stack = () => s3().middlewareStack as unknown as Middleware;
const dynamoStack = () => dynamo().middlewareStack as unknown as Middleware;

/** A logical clock for what the stack does, so "after" needs no wall-clock time. */
let clock = 0;

/** Opened once, by whoever comes first. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

interface PutWatch {
  /** Each PutObject under the prefix: its key, and the clock when it was sent and when it was stored. */
  readonly puts: Array<{ key: string; sent: number; stored?: number }>;
  /** Settles when the first write is held. */
  readonly held: Promise<void>;
  stop(): void;
}

/**
 * Watches every object the stack writes under `prefix`, holding each until the gate `gateFor`
 * gives for its key opens (the build goes on; only those writes wait): the build cannot get past
 * them before the test has acted.
 */
function watchPuts(name: string, prefix: string, gateFor: (key: string) => Promise<void> | undefined): PutWatch {
  const puts: PutWatch['puts'] = [];
  const firstHeld = gate();
  s3Stack().add(
    (next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? '';
      if (context.commandName !== 'PutObjectCommand' || !key.startsWith(prefix)) return next(args);
      const put: PutWatch['puts'][number] = { key, sent: (clock += 1) };
      puts.push(put);
      const opened = gateFor(key);
      if (opened) {
        firstHeld.open();
        await opened;
      }
      const result = await next(args);
      put.stored = clock += 1;
      return result;
    },
    { step: 'initialize', name },
  );
  return { puts, held: firstHeld.opened, stop: () => s3Stack().remove(name) };
}

/** A file of one cube face: a tile of any level, or its fallback. */
const faceFile = (face: string) => new RegExp(`/(\\d\\d/${face}\\d+_\\d+|fallback/${face})\\.jpg$`);

/** When the worker's write of STOP_SUCCESS for the task was applied, by the clock. */
function watchStopAcknowledged(
  taskId: string,
  name: string,
): { readonly at: () => number | undefined; readonly done: Promise<void>; stop(): void } {
  let at: number | undefined;
  const done = gate();
  dynamoStack().add(
    (next) => async (args) => {
      const result = await next(args);
      const text = JSON.stringify(args.input);
      if (
        (args.input as { TableName?: string }).TableName === tableName('tasks') &&
        text.includes(taskId) &&
        text.includes('"STOP_SUCCESS"')
      ) {
        at ??= clock += 1;
        done.open();
      }
      return result;
    },
    { step: 'initialize', name },
  );
  return { at: () => at, done: done.opened, stop: () => dynamoStack().remove(name) };
}

const statusOf = async (taskId: string, where = workspaceId) => (await kmp().task(where, taskId))?.task_status;
const untilStatus = (taskId: string, status: string, where = workspaceId) =>
  until(`task ${taskId} is ${status}`, async () => (await statusOf(taskId, where)) === status, 60_000);

async function createPanorama(input: string): Promise<TaskDto> {
  return kmp().createTask(workspaceId, { task_name: uniqueName('pano'), task_type: 'PANORAMA', input_object: input });
}

async function startTask(task: TaskDto): Promise<TaskDto> {
  const started = await kmp().request<TaskDto>('POST', `${taskPath(task)}/start`, { body: {} });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  assert.equal(started.body.task_status, 'PENDING');
  return started.body;
}

const panoramaState = (taskId: string) => postForm(`${stack.current.url}/panorama`, { secret_key: SECRET, task_id: taskId });

/** What S3 holds under a prefix, sorted. */
async function storedUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3().send(new ListObjectsV2Command({ Bucket: bucketName(), Prefix: prefix, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((object) => object.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

describe('kmp tasks on the real pipeline', () => {
  it('a PANORAMA task made and started through kmp builds its set, reports progress on the way, and shows it through /panorama', async () => {
    const task = await createPanorama(INPUTS.room);
    assert.deepEqual([task.task_progress, task.complete_stage, task.total_stage], ['0.00', 0, 6]);
    const lastFile = gate();
    const writes = watchPuts('hold-room-config', `${INPUTS.room}/config.json`, () => lastFile.opened);
    try {
      await startTask(task);
      // config.json is written last, once every face is done and its progress written.
      await writes.held;
      const running = await kmp().task(workspaceId, task.task_id);
      assert.equal(running?.task_status, 'RUNNING');
      const progress = Number(running.task_progress);
      assert.ok(progress > 0 && progress < 1, `task_progress ${running.task_progress} while the last file waits`);
      assert.ok(running.complete_stage > 0 && running.complete_stage < running.total_stage);
      assert.deepEqual((await panoramaState(task.task_id)).body, {
        message: { task_id: task.task_id, state: 'RUNNING', progress },
        msg_code: 0,
      });
    } finally {
      lastFile.open();
      writes.stop();
    }
    await untilStatus(task.task_id, 'SUCCESS');
    const done = (await kmp().task(workspaceId, task.task_id))!;
    assert.deepEqual([done.task_progress, done.complete_stage, done.total_stage], ['1.00', 6, 6]);
    assert.ok(done.exec_stop_time, 'it says when it ended');

    const shown = await panoramaState(task.task_id);
    assert.equal(shown.status, 200);
    assert.equal(shown.body.msg_code, 1);
    const message = shown.body.message as { task_id: string; state: string; files: string[] };
    assert.equal(message.state, 'SUCCESS');
    assert.ok(message.files.includes(`${INPUTS.room}/config.json`));
    assert.deepEqual(message.files.toSorted(), await storedUnder(`${INPUTS.room}/`), 'every file it lists is stored, and no other');
    await kmp().assertCountsExact(workspaceId);
  });

  it('a PICPROCESS task made and started through kmp runs as a ci job: GET /jobs/{id} describes it', async () => {
    const task = await kmp().createTask(workspaceId, {
      task_name: uniqueName('job'),
      task_type: 'PICPROCESS',
      input_object: INPUTS.photo,
      output_object: `${NAMESPACE}/out/kmp-thumb.jpg`,
      process_rule: 'imageMogr2/thumbnail/64x',
    });
    await startTask(task);
    await untilStatus(task.task_id, 'SUCCESS');
    const described = await ci().request('GET', `/jobs/${task.task_id}`);
    assert.equal(described.status, 200, described.body);
    assert.equal(tag(described.body, 'JobId'), task.task_id);
    assert.equal(tag(described.body, 'State'), 'Success');
    assert.match(described.body, /<Input><BucketId>demo-1250000000<\/BucketId><Object>in\/photo.jpg<\/Object>/);
    assert.match(described.body, /<Output><Bucket>demo-1250000000<\/Bucket><Object>out\/kmp-thumb.jpg<\/Object>/);
    assert.match(described.body, /<ProcessRule>imageMogr2\/thumbnail\/64x<\/ProcessRule>/);
    assert.match(described.body, /<Width>64<\/Width>/);
    const output = await sharp(await objectStore.read(`${NAMESPACE}/out/kmp-thumb.jpg`)).metadata();
    assert.deepEqual([output.width, output.height], [64, 48]);
  });

  it('/panorama builds and /jobs jobs are in the default workspace, in KooMap states: a paused job PENDING, a cancelled one STOP_SUCCESS', async () => {
    const home = await kmp().defaultWorkspace();
    const submitted = await postForm(`${stack.current.url}/panorama`, {
      secret_key: SECRET,
      filename: `${NAMESPACE}/direct/pano.jpg`,
      filedata: { data: await gradientJpeg(2048, 1024), type: 'image/jpeg' },
    });
    assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
    const panoramaId = (submitted.body.message as { task_id: string }).task_id;
    const job = await ci().request('POST', '/jobs', { body: jobXml({ output: 'out/direct.jpg' }) });
    assert.equal(job.status, 200, job.body);
    const jobId = tag(job.body, 'JobId')!;
    await untilStatus(panoramaId, 'SUCCESS', home);
    await untilStatus(jobId, 'SUCCESS', home);
    const listed = await kmp().listAll(home);
    assert.deepEqual(
      listed.filter((task) => [panoramaId, jobId].includes(task.task_id)).map((task) => [task.task_id, task.task_type, task.task_status]),
      [
        [jobId, 'PICPROCESS', 'SUCCESS'],
        [panoramaId, 'PANORAMA', 'SUCCESS'],
      ],
      'newest first',
    );

    const queueId = tag((await ci().request('GET', '/picqueue')).body, 'QueueId')!;
    const queue = (state: string) => `<Request><Name>kmp-pipeline</Name><State>${state}</State></Request>`;
    assert.equal((await ci().request('PUT', `/picqueue/${queueId}`, { body: queue('Paused') })).status, 200);
    try {
      const held = tag((await ci().request('POST', '/jobs', { body: jobXml({ output: 'out/held.jpg' }) })).body, 'JobId')!;
      await until('the worker holds the job in the paused queue', async () =>
        /<State>Pause<\/State>/.test((await ci().request('GET', `/jobs/${held}`)).body),
      );
      assert.equal(await statusOf(held, home), 'PENDING', 'a paused job is still waiting, in KooMap words');
      await kmp().assertCountsExact(home, 'with a paused job');
      assert.equal((await kmp().counts(home)).overview.running_count, 1);

      const cancelled = await ci().request('PUT', `/jobs/${held}`, { query: { cancel: '' } });
      assert.equal(cancelled.status, 200, cancelled.body);
      assert.equal(await statusOf(held, home), 'STOP_SUCCESS', 'a cancelled job was stopped before it ran, in KooMap words');
      await kmp().assertCountsExact(home, 'with a cancelled job');

      // A kmp client may delete what it sees stopped, as KooMap allows.
      assert.equal((await kmp().request('DELETE', '/v1/kmp-control/tasks', { body: { id: held } })).body, true);
      assert.match((await ci().request('GET', `/jobs/${held}`)).body, new RegExp(`<NonExistJobIds>${held}</NonExistJobIds>`));
      await kmp().assertCountsExact(home, 'after the delete');
    } finally {
      assert.equal((await ci().request('PUT', `/picqueue/${queueId}`, { body: queue('Active') })).status, 200);
    }
  });

  it('STOP during a real panorama build ends STOP_SUCCESS; nothing is written once the stop is acknowledged; counts stay exact', async () => {
    const task = await createPanorama(INPUTS.huge);
    // The first face's files wait for the stop: the worker learns of it when that face is done.
    // The second face's wait for the worker's answer: what it had under way when it learned.
    const [firstFace, laterFaces] = [gate(), gate()];
    const writes = watchPuts('hold-huge-set', `${INPUTS.huge}/`, (key) =>
      faceFile(FACES[0]).test(key) ? firstFace.opened : laterFaces.opened,
    );
    const acknowledged = watchStopAcknowledged(task.task_id, 'watch-huge-stop');
    try {
      await startTask(task);
      await writes.held;
      const stopped = await kmp().request('POST', `${taskPath(task)}/stop`, { body: {} });
      assert.deepEqual([stopped.status, stopped.body], [200, true]);
      // No face is done: the worker cannot have seen the stop yet.
      assert.equal(await statusOf(task.task_id), 'STOPPING');
      await kmp().assertCountsExact(workspaceId, 'while it stops');
      const again = await kmp().request<KmpError>('POST', `${taskPath(task)}/stop`, { body: {} });
      assert.deepEqual([again.status, again.body.error_code], [400, KMP_ERRORS.stateNotAllowed]);

      firstFace.open();
      // A worker that finishes what it had under way before answering waits for these writes; one
      // that answers at once does so while they still wait. Either way they go after a while.
      void Promise.race([acknowledged.done, new Promise((resolve) => setTimeout(resolve, 2_000))]).then(laterFaces.open);
      await untilStatus(task.task_id, 'STOP_SUCCESS');
      const ackedAt = acknowledged.at();
      assert.ok(ackedAt !== undefined, 'the worker wrote STOP_SUCCESS');
      await until('every write sent is stored', async () => writes.puts.every((put) => put.stored !== undefined));

      const late = writes.puts.filter((put) => put.sent > ackedAt || put.stored! > ackedAt);
      assert.deepEqual(
        late.map((put) => put.key),
        [],
        'no file of the set is written (or still being written) after STOP_SUCCESS',
      );
      assert.ok(writes.puts.length > 0, 'the build had begun writing when it was stopped');
      const stored = await storedUnder(`${INPUTS.huge}/`);
      assert.deepEqual(
        stored,
        writes.puts.map((put) => put.key).sort(),
        'the set holds what was written before STOP_SUCCESS, and only that',
      );
      assert.ok(!stored.includes(`${INPUTS.huge}/config.json`), 'the stopped set was never finished');
      const ended = (await kmp().task(workspaceId, task.task_id))!;
      assert.ok(Number(ended.task_progress) < 1, `progress ${ended.task_progress} where it stopped`);
      await kmp().assertCountsExact(workspaceId, 'once it stopped');
    } finally {
      firstFace.open();
      laterFaces.open();
      writes.stop();
      acknowledged.stop();
    }
  });

  it('kmp-control starts, stops, archives, unarchives and deletes a task by {id}, over real builds', async () => {
    const task = await createPanorama(INPUTS.hall);
    const control = (method: string, path: string, query?: Record<string, boolean>) =>
      kmp().request(method, `/v1/kmp-control/tasks${path}`, { body: { id: task.task_id }, ...(query ? { query } : {}) });
    const files = gate();
    const writes = watchPuts('hold-hall-set', `${INPUTS.hall}/`, () => files.opened);
    try {
      assert.equal((await control('POST', '/start')).body, true);
      await writes.held;
      assert.equal((await control('POST', '/stop')).body, true);
      // Its files wait: the worker cannot have seen the stop yet.
      assert.equal(await statusOf(task.task_id), 'STOPPING');
      await kmp().assertCountsExact(workspaceId, 'while it stops');
      files.open();
      await untilStatus(task.task_id, 'STOP_SUCCESS');
    } finally {
      files.open();
      writes.stop();
    }
    await kmp().assertCountsExact(workspaceId, 'stopped by id');

    assert.equal((await control('POST', '/start')).body, true, 'a stopped task starts again');
    await untilStatus(task.task_id, 'SUCCESS');
    assert.ok((await storedUnder(`${INPUTS.hall}/`)).includes(`${INPUTS.hall}/config.json`), 'the set is whole this time');
    await kmp().assertCountsExact(workspaceId, 'built by id');

    assert.equal((await control('POST', '/archive', { archived: true })).body, true);
    assert.equal(await statusOf(task.task_id), 'ARCHIVED');
    assert.ok(!(await kmp().listAll(workspaceId)).some((each) => each.task_id === task.task_id), 'archived tasks are left out of lists');
    await kmp().assertCountsExact(workspaceId, 'archived by id');
    assert.equal((await control('POST', '/archive', { archived: false })).body, true);
    assert.equal(await statusOf(task.task_id), 'SUCCESS');

    assert.equal((await control('DELETE', '')).body, true);
    assert.equal(await statusOf(task.task_id), undefined);
    assert.ok((await storedUnder(`${INPUTS.hall}/`)).includes(`${INPUTS.hall}/config.json`), "a deleted task's output stays");
    const gone = await control('POST', '/start');
    assert.deepEqual([gone.status, (gone.body as KmpError).error_code], [404, KMP_ERRORS.notFound]);
    await kmp().assertCountsExact(workspaceId, 'deleted by id');
  });
});

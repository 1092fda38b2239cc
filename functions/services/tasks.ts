import type { Client } from '../core/client.ts';
import { conflict, invalidInput, isTesseraError, notFound } from '../core/errors.ts';
import type { PanoramaQualities } from '../core/panorama/submission.ts';
import { newTaskId, TASK_ID_PATTERN } from '../core/task-id.ts';
import { nextState, type TaskEvent } from '../core/task-states.ts';
import { lifecycleOf, type CallbackState, type JobLevel, type Task, type TaskKinds } from '../core/tasks/task.ts';
import { taskStore, type WorkspaceKey } from '../adapters/task-store.ts';
import { sameTaskName, taskNames } from '../adapters/task-names.ts';
import { panoramas } from './panoramas.ts';
import { checkCallbackUrl } from './callback-url.ts';
import { picJobs } from './pic-jobs.ts';
import { picTemplates } from './pic-templates.ts';
import { countMatching, listTasks } from './task-lists.ts';
import { decidedAgainIfBusy } from './decided-again.ts';
import { enqueueTask } from './task-queue.ts';
import { workspaces } from './workspaces.ts';

/** The work a client asks a task to do, in Tessera's words. */
export type WorkRequest =
  | { readonly kind: 'panorama'; readonly input: string; readonly qualities: PanoramaQualities }
  | {
      readonly kind: 'picprocess';
      readonly input: string;
      readonly output: string;
      readonly rule?: string;
      readonly templateId?: string;
      readonly describeOriginal: boolean;
      readonly level: JobLevel;
      /** Where the finished job is told, as ci's CallBack (signed, retried; docs/ci.md). */
      readonly callback?: { readonly url: string; readonly format: 'JSON' | 'XML' };
    };

/** What a client says about a task: its name, description, and attributes its dialect echoes. */
export interface TaskDescription {
  readonly name: string;
  readonly description?: string;
  readonly attributes?: Readonly<Record<string, unknown>>;
}

type Spec = TaskKinds['panorama' | 'picprocess']['spec'];
type KindAndSpec =
  | { readonly kind: 'panorama'; readonly spec: TaskKinds['panorama']['spec'] }
  | { readonly kind: 'picprocess'; readonly spec: TaskKinds['picprocess']['spec'] };

async function kindAndSpec(client: Client, work: WorkRequest): Promise<KindAndSpec> {
  if (work.kind === 'panorama') return { kind: 'panorama', spec: await panoramas.prepareStored(client, work.input, work.qualities) };
  return { kind: 'picprocess', spec: await jobSpec(client, work) };
}

async function jobSpec(client: Client, work: Extract<WorkRequest, { kind: 'picprocess' }>): Promise<TaskKinds['picprocess']['spec']> {
  if (Boolean(work.rule) === Boolean(work.templateId)) throw invalidInput('give process_rule or template_id, not both, not neither');
  const template = work.templateId ? await picTemplates.require(client, work.templateId) : undefined;
  const spec = picJobs.specFor(client, {
    input: work.input,
    output: work.output,
    rule: template?.processRule ?? work.rule!,
    describeOriginal: template?.isPicInfo ?? work.describeOriginal,
    ...(template ? { template: { id: template.templateId, name: template.name } } : {}),
  });
  // As a panorama's is: a missing input, or a rule its size cannot take, is said now, not at start.
  await picJobs.checkRunnable(spec);
  return spec;
}

/** A spec checked again just before it runs: the input may have changed since the task was made. */
async function runnableSpec(client: Client, task: Task): Promise<Spec> {
  switch (task.kind) {
    case 'panorama':
      return panoramas.prepareStored(client, task.spec.key, task.spec.qualities);
    case 'picprocess':
      await picJobs.checkRunnable(task.spec);
      return task.spec;
    default:
      throw invalidInput(`a ${task.kind} task has no work to run`);
  }
}

/** Where a task's name must be unique: its workspace, or, for a subtask, its task. */
export const nameScopeOf = (task: Task) => ({
  clientId: task.clientId,
  within: task.parentTaskId ? `task:${task.parentTaskId}` : task.workspaceId,
});

/** Removes a task or subtask its state lets go, and frees its name. */
export async function removeTask(task: Task): Promise<void> {
  await taskStore.delete(task, task.version);
  if (task.name) await taskNames.release(nameScopeOf(task), task.name, task.taskId);
}

/** Where a task is told when it ends, as it is before any run tried to tell it: nothing sent, every retry left. */
const freshCallback = (callback: Pick<CallbackState, 'url' | 'format'>): CallbackState => ({
  url: callback.url,
  format: callback.format,
  status: 'none',
  attempts: 0,
});

/**
 * A task's callback made fresh for a new run: a delivery still pending or retrying from the last
 * run must not tell of this one, nor leave it fewer retries.
 */
const callbackReset = (task: Task) => (task.callback ? { callback: freshCallback(task.callback) } : {});

/** The callback a PICPROCESS work asks for, its URL checked as an outbound one. */
const callbackOf = (work: Extract<WorkRequest, { kind: 'picprocess' }>): CallbackState | undefined =>
  work.callback ? freshCallback({ url: checkCallbackUrl(work.callback.url), format: work.callback.format }) : undefined;

/** Starts a task (or subtask) with the work it will run: a fresh run's fields, then its queue message. */
export async function startWith(task: Task, spec: Task['spec']): Promise<Task> {
  const started = await decidedAgainIfBusy(task, (current) =>
    taskStore.transition(current, 'start', {
      version: current.version,
      set: { spec, awaitingQueue: 'job', progress: 0, attempts: 0, ...callbackReset(current) },
      remove: ['error', 'result', 'endedAt', 'startedAt', 'leaseUntil'],
    }),
  );
  await enqueueTask(started);
  return started;
}

/** Someone else removed it (or changed it) first: nothing is left to do here. */
export const alreadyHandled = (error: unknown): void => {
  if (!isTesseraError(error) || (error.kind !== 'not-found' && error.kind !== 'conflict')) throw error;
};

/**
 * What an update writes besides the description: new work's spec, level and callback (removed
 * when the new work names none); without new work, the callback the task keeps, made fresh.
 */
async function workChange(client: Client, task: Task, work: WorkRequest | undefined) {
  if (!work) return { set: callbackReset(task), remove: [] };
  const { spec } = await kindAndSpec(client, work);
  if (work.kind !== 'picprocess') return { set: { spec, ...callbackReset(task) }, remove: [] };
  const callback = callbackOf(work);
  return { set: { spec, level: work.level, ...(callback ? { callback } : {}) }, remove: callback ? [] : ['callback'] };
}

/**
 * The task lifecycle as a client drives it (the kmp dialect today): tasks in workspaces, made
 * INIT with their work described, started into the same pipeline as /panorama and /jobs.
 */
export const tasks = {
  /** The client's task, in that workspace when one is named; anything else is "no such task". */
  async require(client: Client, taskId: string, workspaceId?: string): Promise<Task> {
    const task = TASK_ID_PATTERN.test(taskId) ? await taskStore.get({ clientId: client.clientId, taskId }) : undefined;
    if (!task || task.parentTaskId || (workspaceId !== undefined && task.workspaceId !== workspaceId))
      throw notFound(`task ${taskId} does not exist`);
    return task;
  },

  async create(client: Client, workspaceId: string, description: TaskDescription, work: WorkRequest): Promise<Task> {
    await workspaces.require(client, workspaceId);
    const made = await kindAndSpec(client, work);
    const callback = work.kind === 'picprocess' ? callbackOf(work) : undefined;
    const taskId = newTaskId(work.kind === 'panorama' ? 't' : 'j');
    const names = { clientId: client.clientId, within: workspaceId };
    await taskNames.claim(names, description.name, taskId);
    try {
      return await taskStore.create({
        taskId,
        clientId: client.clientId,
        workspaceId,
        ...description,
        ...made,
        level: work.kind === 'picprocess' ? work.level : 0,
        ...(callback ? { callback } : {}),
      });
    } catch (error) {
      await taskNames.release(names, description.name, taskId);
      throw error;
    }
  },

  /**
   * Replaces a task's description and work (INIT, START_FAILED, FAILED, STOP_SUCCESS only); it is
   * INIT again. New work replaces the whole work, its callback included (none when it names none).
   */
  async update(
    client: Client,
    workspaceId: string,
    taskId: string,
    description: Partial<TaskDescription>,
    work?: WorkRequest,
  ): Promise<Task> {
    const task = await tasks.require(client, taskId, workspaceId);
    if (work && work.kind !== task.kind)
      throw invalidInput(`task_type cannot change: this task is ${task.kind === 'panorama' ? 'PANORAMA' : 'PICPROCESS'}`);
    // Said before any name is claimed, so a refused update leaves the names as they were.
    nextState(task.state, 'update', lifecycleOf(task));
    const change = await workChange(client, task, work);
    const names = nameScopeOf(task);
    const renamed = description.name !== undefined && !sameTaskName(description.name, task.name);
    if (renamed) await taskNames.claim(names, description.name!, taskId);
    try {
      const updated = await taskStore.transition(task, 'update', {
        version: task.version,
        set: { ...description, ...change.set },
        remove: ['error', 'result', 'progress', 'endedAt', ...change.remove],
      });
      if (renamed && task.name) await taskNames.release(names, task.name, taskId);
      return updated;
    } catch (error) {
      if (renamed) await taskNames.releaseUnlessHeld(names, description.name!, taskId);
      throw error;
    }
  },

  /** Starts a task into the pipeline /panorama and /jobs use, its input checked again now. */
  async start(client: Client, task: Task): Promise<Task> {
    nextState(task.state, 'start', lifecycleOf(task));
    return startWith(task, await runnableSpec(client, task));
  },

  /** Client actions that are one transition: stop, archive, unarchive. */
  act: (task: Task, event: Extract<TaskEvent, 'stop' | 'archive' | 'unarchive'>): Promise<Task> =>
    decidedAgainIfBusy(task, (current) => taskStore.transition(current, event, { version: current.version })),

  /**
   * Deletes a task with no subtasks. A subtask made while this decided (subtasks.create checks its
   * task after its own write, this checks after the task's) goes with it.
   */
  async delete(task: Task): Promise<void> {
    const held = (await taskStore.subtasksOf(task)).length;
    if (held) throw conflict(`the task has ${held} subtask(s); delete them first`, 'StateNotAllowed');
    await removeTask(task);
    for (const late of await taskStore.subtasksOf(task)) await removeTask(late).catch(alreadyHandled);
  },

  /** A page of a workspace's tasks, newest first, and how many match in all (task-lists.ts). */
  list: listTasks,

  /** How many tasks each of a client's workspaces holds (0: it is empty). */
  totals: (clientId: string, workspaceIds: readonly string[]) => taskStore.occupancy(clientId, workspaceIds),

  /** Exact counts by state, from the workspace's counters. */
  counts: (owner: WorkspaceKey) => taskStore.countByState(owner),

  countMatching,
};

import type { Lifecycle, TaskState } from '../task-states.ts';
import type { PanoramaResult, PanoramaSpec } from './panorama.ts';
import type { PicProcessResult, PicProcessSpec } from './picprocess.ts';

/**
 * What each kind of task is asked to do and what it yields, in Tessera's own words. A new kind
 * (kmp's own tasks) is one more entry; every dialect shows these in its own words.
 */
export interface TaskKinds {
  readonly picprocess: { readonly spec: PicProcessSpec; readonly result: PicProcessResult };
  readonly panorama: { readonly spec: PanoramaSpec; readonly result: PanoramaResult };
  readonly kmp: { readonly spec: KmpSpec; readonly result: Readonly<Record<string, never>> };
}

export type TaskKind = keyof TaskKinds;

/** A task created through the kmp dialect: a name and what it is for; Tessera runs nothing for it yet. */
export interface KmpSpec {
  readonly name: string;
  readonly description?: string;
}

/** Where a finished task's callback stands: claimed by a conditional write per attempt. */
export interface CallbackState {
  readonly url: string;
  readonly format: 'JSON' | 'XML';
  readonly status: 'none' | 'pending' | 'sending' | 'retrying' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly sendingUntil?: number;
  readonly lastError?: string;
  readonly deliveredAt?: string;
}

/** Which message a task still waits to have sent: its job message, or its callback's. */
export type AwaitingQueue = 'job' | 'callback';

export interface TaskKey {
  readonly clientId: string;
  readonly taskId: string;
}

interface TaskFields extends TaskKey {
  /** Every task lives in one of its client's workspaces (the default one unless kmp names another). */
  readonly workspaceId: string;
  /** Set on a subtask: the task it is a unit of work of. */
  readonly parentTaskId?: string;
  /** The client's name and description for it (kmp's task_name, task_description). */
  readonly name?: string;
  readonly description?: string;
  /** What the submitting dialect was told about the task and echoes back; the core never reads it. */
  readonly attributes?: Readonly<Record<string, unknown>>;
  readonly state: TaskState;
  /** Bumped by every change of state: a transition applies only to the version it was decided on. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly level: JobLevel;
  readonly startedAt?: string;
  readonly endedAt?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly progress?: number;
  /** Until when the worker that holds the task may keep it; after that another may take it over. */
  readonly leaseUntil?: number;
  readonly attempts: number;
  /** Present until the task's queue message is confirmed sent; the requeue job re-sends those left with it. */
  readonly awaitingQueue?: AwaitingQueue;
  readonly callback?: CallbackState;
}

/** A task of one kind, or (without a type argument) of any kind, told apart by `kind`. */
export type Task<K extends TaskKind = TaskKind> = {
  [P in K]: TaskFields & { readonly kind: P; readonly spec: TaskKinds[P]['spec']; readonly result?: TaskKinds[P]['result'] };
}[K];

/** How a task moves through the state table: as a task, or as a subtask with an upload phase. */
export const lifecycleOf = (task: Pick<Task, 'parentTaskId'>): Lifecycle => (task.parentTaskId ? 'subtask' : 'task');

export const isKind = <K extends TaskKind>(task: Task, kind: K): task is Extract<Task, { readonly kind: K }> => task.kind === kind;

/** Priority: a higher level is taken first when the pipeline is busy. */
export type JobLevel = 0 | 1 | 2;

import type { Client } from '../core/client.ts';
import { invalidInput, notFound } from '../core/errors.ts';
import { newSubtaskId, SUBTASK_ID_PATTERN, subtaskKey } from '../core/task-id.ts';
import { nextState } from '../core/task-states.ts';
import { lifecycleOf, type Task } from '../core/tasks/task.ts';
import { objectStore } from '../adapters/object-store.ts';
import { taskNames } from '../adapters/task-names.ts';
import { taskStore } from '../adapters/task-store.ts';
import { panoramas } from './panoramas.ts';
import { picJobs } from './pic-jobs.ts';
import { alreadyHandled, nameScopeOf, removeTask, startWith } from './tasks.ts';

/** KooMap's limit (reference/kmp.md §5.2). */
export const MAX_SUBTASKS = 10;

/**
 * Where a subtask's input is uploaded (`model_path`), in the client's first namespace; a
 * PICPROCESS subtask writes its output beside it. Tessera's choice: no source names these.
 */
export const subtaskPaths = (client: Client, task: Task, subtaskId: string) => {
  const folder = `${client.namespaces[0]}/kmp/${task.taskId}/${subtaskId}`;
  return { input: `${folder}/input`, output: `${folder}/output` };
};

/** The subtask's own id: the part of its key after its task's. */
export const subtaskIdOf = (subtask: Task) => subtask.taskId.slice(subtask.taskId.indexOf('.') + 1);

/**
 * Subtasks: units of work inside a task, each run on an input the client uploads itself (to its
 * `model_path`, through /upload or ost) and marks uploaded, with the task's own work: a PANORAMA
 * subtask builds a set from its input with the task's qualities; a PICPROCESS subtask applies the
 * task's rule to its input. They move through the subtask table (core/task-states.ts).
 */
export const subtasks = {
  async require(client: Client, task: Task, subtaskId: string): Promise<Task> {
    const subtask = SUBTASK_ID_PATTERN.test(subtaskId)
      ? await taskStore.get({ clientId: client.clientId, taskId: subtaskKey(task.taskId, subtaskId) })
      : undefined;
    if (!subtask) throw notFound(`subtask ${subtaskId} does not exist`);
    return subtask;
  },

  list: (task: Task) => taskStore.subtasksOf(task),

  async create(client: Client, task: Task, name: string): Promise<Task> {
    if (task.state === 'ARCHIVED') throw invalidInput('an archived task takes no subtasks; unarchive it first');
    if (client.namespaces.length === 0) throw invalidInput('this client owns no namespace to upload subtask inputs to');
    if ((await taskStore.subtasksOf(task)).length >= MAX_SUBTASKS)
      throw invalidInput(`a task has at most ${MAX_SUBTASKS} subtasks`, 'LimitReached');
    const subtaskId = newSubtaskId();
    const key = subtaskKey(task.taskId, subtaskId);
    const names = nameScopeOf({ ...task, parentTaskId: task.taskId });
    await taskNames.claim(names, name, key);
    try {
      // The task's own work until the subtask starts on its uploaded input.
      const base = {
        taskId: key,
        clientId: client.clientId,
        workspaceId: task.workspaceId,
        parentTaskId: task.taskId,
        name,
        level: task.level,
      };
      if (task.kind !== 'panorama' && task.kind !== 'picprocess') throw invalidInput(`a ${task.kind} task has no work for subtasks`);
      const created: Task =
        task.kind === 'panorama'
          ? await taskStore.create({ ...base, kind: task.kind, spec: task.spec })
          : await taskStore.create({ ...base, kind: task.kind, spec: task.spec });
      await keepIfStillAllowed(task, created);
      return created;
    } catch (error) {
      await taskNames.release(names, name, key);
      throw error;
    }
  },

  /**
   * Tessera's own route (no source names one): UPLOADING begins the upload (from INIT);
   * UPLOAD_SUCCESS and UPLOAD_FAILED end it, only while UPLOADING. Success needs the input there.
   */
  async setUploadStatus(
    client: Client,
    task: Task,
    subtask: Task,
    status: 'UPLOADING' | 'UPLOAD_SUCCESS' | 'UPLOAD_FAILED',
  ): Promise<Task> {
    const from = status === 'UPLOADING' ? 'INIT' : 'UPLOADING';
    if (subtask.state !== from)
      throw invalidInput(`the subtask is ${subtask.state}; ${status} is set only from ${from}`, 'UploadStateNotAllowed');
    if (status === 'UPLOADING') return taskStore.transition(subtask, 'beginUpload', { version: subtask.version });
    if (status === 'UPLOAD_SUCCESS') {
      const input = subtaskPaths(client, task, subtaskIdOf(subtask)).input;
      if (!(await objectStore.head(input))) throw invalidInput(`nothing was uploaded to ${input}; upload the input there first`);
    }
    return taskStore.transition(subtask, status === 'UPLOAD_SUCCESS' ? 'uploadSucceeded' : 'uploadFailed', { version: subtask.version });
  },

  /** Runs the task's work on the subtask's uploaded input, through the same pipeline. */
  async start(client: Client, task: Task, subtask: Task): Promise<Task> {
    nextState(subtask.state, 'start', lifecycleOf(subtask));
    const paths = subtaskPaths(client, task, subtaskIdOf(subtask));
    return startWith(subtask, await specFor(client, task, paths));
  },

  delete: removeTask,
};

const byCreation = (a: Task, b: Task) => a.createdAt.localeCompare(b.createdAt) || a.taskId.localeCompare(b.taskId);

/**
 * Without transactions, a subtask's creation may race its task's deletion, or other creations at
 * the limit: after its own write each looks again, and a subtask whose task is gone, or that came
 * after the tenth, removes itself and is refused.
 */
async function keepIfStillAllowed(task: Task, subtask: Task): Promise<void> {
  const [parent, siblings] = await Promise.all([taskStore.get(task), taskStore.subtasksOf(task)]);
  const rank = siblings.sort(byCreation).findIndex((sibling) => sibling.taskId === subtask.taskId);
  if (parent && rank < MAX_SUBTASKS) return;
  await removeTask(subtask).catch(alreadyHandled);
  if (!parent) throw notFound(`task ${task.taskId} does not exist`);
  throw invalidInput(`a task has at most ${MAX_SUBTASKS} subtasks`, 'LimitReached');
}

async function specFor(client: Client, task: Task, paths: { input: string; output: string }): Promise<Task['spec']> {
  switch (task.kind) {
    case 'panorama':
      return panoramas.prepareStored(client, paths.input, task.spec.qualities);
    case 'picprocess': {
      const spec = picJobs.specFor(client, {
        input: paths.input,
        output: paths.output,
        rule: task.spec.rule,
        describeOriginal: task.spec.describeOriginal,
      });
      await picJobs.checkRunnable(spec);
      return spec;
    }
    default:
      throw invalidInput(`a ${task.kind} task has no work for its subtasks`);
  }
}

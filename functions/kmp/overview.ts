import type { StateCounts, TaskState } from '../core/task-states.ts';

const sum = (counts: StateCounts, states: readonly TaskState[]) => states.reduce((total, state) => total + counts[state], 0);

/** In KooMap's words (task-view.ts): PAUSED is waiting (PENDING), CANCELLED was stopped (STOP_SUCCESS). */
const RUNNING: readonly TaskState[] = ['PENDING', 'PAUSED', 'STARTING', 'RUNNING', 'STOPPING'];
const SUCCEEDED: readonly TaskState[] = ['SUCCESS', 'STOP_SUCCESS', 'CANCELLED'];
const FAILED: readonly TaskState[] = ['START_FAILED', 'FAILED'];
const FINISHED: readonly TaskState[] = [...SUCCEEDED, ...FAILED, 'ARCHIVED', 'BUNDLE_SUCCESS'];

export const totalOf = (counts: StateCounts) => Object.values(counts).reduce((total, count) => total + count, 0);

/** ShowTaskOverviewInWorkspace (reference/kmp.md §3): INIT and BUNDLE_SUCCESS count only in total_count. */
export const real3dOverview = (workspaceId: string, counts: StateCounts) => ({
  workspace_id: workspaceId,
  total_count: totalOf(counts),
  running_count: sum(counts, RUNNING),
  success_count: sum(counts, SUCCEEDED),
  failed_count: sum(counts, FAILED),
  archived_count: counts.ARCHIVED,
});

/** The satellite family's TaskNumVo: the same counts, camelCase. */
export const taskNumVo = (counts: StateCounts) => ({
  totalNum: totalOf(counts),
  failedNum: sum(counts, FAILED),
  archivedNum: counts.ARCHIVED,
  successNum: sum(counts, SUCCEEDED),
  runningNum: sum(counts, RUNNING),
});

/**
 * ShowTaskOverview: finished = processed to an end (or archived); unfinished = executing
 * ("空间下执行中任务数量", the SDK says), so a task never started (INIT) is in neither.
 */
export const controlOverview = (counts: StateCounts) => ({
  total: totalOf(counts),
  finished: sum(counts, FINISHED),
  unfinished: sum(counts, RUNNING),
});

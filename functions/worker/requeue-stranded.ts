import { taskStore } from '../adapters/task-store.ts';
import { logger } from '../logger.ts';
import { requeueStranded } from '../services/task-queue.ts';

/**
 * Scheduled: finishes what writers that died left half-done: re-sends job and callback messages
 * whose first send failed, resumes paused jobs whose queue is Active again (a resume that failed
 * or missed them), and settles task-count changes left in flight.
 */
export const handler = async (): Promise<{ sent: number; settled: number }> => {
  const sent = await requeueStranded();
  const settled = await taskStore.settleAbandonedCounts();
  if (sent) logger.info('re-sent stranded task messages', { sent });
  if (settled) logger.info('settled abandoned task-count changes', { settled });
  return { sent, settled };
};

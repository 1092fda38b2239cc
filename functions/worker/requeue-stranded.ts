import { logger } from '../http/logger.ts';
import { requeueStranded } from '../services/task-queue.ts';

/** Scheduled: re-sends job and callback messages whose first send failed. */
export const handler = async (): Promise<{ sent: number }> => {
  const sent = await requeueStranded();
  if (sent) logger.info('re-sent stranded task messages', { sent });
  return { sent };
};

import { deliverCallback as deliverAny } from '../../functions/worker/deliver-callback.ts';
import { failDeadTask as failDead, processTaskMessage as processAny } from '../../functions/worker/process-task.ts';
import { requeueStranded as requeueAny } from '../../functions/services/task-queue.ts';
import { actingAs } from '../../local/iam-guard.ts';

/**
 * The consumers and scheduled jobs that tests call directly, each held to its own Lambda's grants
 * (local/iam-guard.ts), as the local stack runs them: a grant missing from functions/access.ts
 * fails the test here instead of the deployed stack.
 */
export const processTaskMessage = (...args: Parameters<typeof processAny>) => actingAs('worker', () => processAny(...args));
export const failDeadTask = (...args: Parameters<typeof failDead>) => actingAs('dead-letters', () => failDead(...args));
export const deliverCallback = (...args: Parameters<typeof deliverAny>) => actingAs('callbacks', () => deliverAny(...args));
export const requeueStranded = (...args: Parameters<typeof requeueAny>) => actingAs('requeue-stranded', () => requeueAny(...args));

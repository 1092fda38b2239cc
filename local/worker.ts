import { useLocalStackFile } from './local-stack-file.ts';
import { startWorkerLoop } from './worker-loop.ts';

/**
 * A worker on its own, against the stack `npm start` runs (or whatever the environment names):
 * to run more workers, or to kill one mid-job and watch another take its task over.
 */
if (!process.env.TESSERA_TASKS_TABLE) useLocalStackFile();
const worker = startWorkerLoop({
  concurrency: Number(process.env.TESSERA_WORKER_CONCURRENCY ?? 2),
  visibilitySeconds: Number(process.env.TESSERA_WORKER_VISIBILITY_SECONDS ?? 60),
  onError: (error) => console.error('worker:', error),
});
const stop = () => void worker.stop().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

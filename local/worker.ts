import { startWorkerLoop } from './worker-loop.ts';

/**
 * A worker on its own, against the stack `npm start` runs (or any the environment names): for
 * running more workers, or killing one mid-job to watch another take its task over.
 */
const { readFileSync, existsSync } = await import('node:fs');
const { LOCAL_STACK_FILE } = await import('./local-stack-file.ts');
if (!process.env.TESSERA_TASKS_TABLE && existsSync(LOCAL_STACK_FILE)) {
  Object.assign(process.env, JSON.parse(readFileSync(LOCAL_STACK_FILE, 'utf8')) as Record<string, string>);
}
const worker = startWorkerLoop({
  concurrency: Number(process.env.TESSERA_WORKER_CONCURRENCY ?? 2),
  visibilitySeconds: Number(process.env.TESSERA_WORKER_VISIBILITY_SECONDS ?? 60),
  onError: (error) => console.error('worker:', error),
});
process.on('SIGINT', () => void worker.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));

import { isTesseraError } from '../../core/errors.ts';
import { isPublicKey } from '../../core/client.ts';
import { imageContentType } from '../../core/image-content-type.ts';
import { levelQuality } from '../../core/panorama/submission.ts';
import { panoramaConfig, workerConfig } from '../../config.ts';
import { BUCKET } from '../../resources.ts';
import { clientRegistry } from '../../adapters/client-registry.ts';
import { setBuilds, type SetLease } from '../../adapters/set-builds.ts';
import { objectStore } from '../../adapters/object-store.ts';
import { taskStore } from '../../adapters/task-store.ts';
import type { PanoramaResult } from '../../core/tasks/panorama.ts';
import type { PanoramaTask } from '../../services/panoramas.ts';
import { JobFailure, RetryLater, TaskStopped } from '../job-failure.ts';
import { oneAtATime } from '../one-at-a-time.ts';
import { buildPanorama } from './tiler.ts';

/**
 * One build at a time per process: a build takes both cores and up to ~1.2 GB, so a second one in
 * the same batch (or local worker) waits its turn instead of doubling the peak.
 */
const inTurn = oneAtATime();

/** How often a build waiting for its set asks again whether the build before it is done. */
const SET_POLL_MS = 1000;

/**
 * Runs `work` (claiming the task and building its set) while this build holds the set's lease:
 * only one build writes a set at a time (setBuilds), so the set is all of the last build's files,
 * never a mix of two. The lease is taken before the task is claimed, so a build that waits for
 * another of its name waits unclaimed: false when the other still held the set after
 * `setWaitMs`, for the message to be sent again later without costing the task an attempt.
 */
export function holdingSet(task: PanoramaTask, work: (build: () => Promise<PanoramaResult>) => Promise<void>): Promise<boolean> {
  return inTurn(async () => {
    const lease = await waitForSet(task.spec.key);
    if (!lease) return false;
    try {
      await work(() => buildSet(task, lease));
      return true;
    } finally {
      await setBuilds.release(lease);
    }
  });
}

/** The set's lease, once the build holding it is done or has let it run out; undefined if it still holds it after setWaitMs. */
async function waitForSet(key: string): Promise<SetLease | undefined> {
  const giveUpAt = Date.now() + panoramaConfig.setWaitMs();
  for (;;) {
    const lease = await setBuilds.take(key, workerConfig.leaseMs());
    if (lease || Date.now() >= giveUpAt) return lease;
    await new Promise((resolve) => setTimeout(resolve, SET_POLL_MS));
  }
}

/** Renews the set's lease before more of the set is written; a build that lost it writes nothing more. */
async function stillHolding(lease: SetLease): Promise<void> {
  if (!(await setBuilds.renew(lease))) throw new RetryLater(`another build took over the set ${lease.setKey}`);
}

/**
 * Builds one panorama set: reads the original, tiles it, writes every file under `{key}/` with
 * whole-object PUTs (a redelivered job rewrites the same files with the same bytes), and writes
 * progress to the task as faces finish.
 */
async function buildSet(task: PanoramaTask, lease: SetLease): Promise<PanoramaResult> {
  const { spec } = task;
  const stored = await objectStore.head(spec.key);
  if (!stored) throw new JobFailure('ResourceNotFound', `the original ${spec.key} no longer exists`);
  // overwrite=1 stored a newer original and queued its own build: this one must not write over it.
  if (stored.etag !== spec.etag)
    throw new JobFailure('ResourceChanged', `the original ${spec.key} was replaced by a newer upload, whose own task builds the set`);
  if (stored.size > panoramaConfig.maxInputBytes()) {
    throw new JobFailure('InvalidArgument', `the original is ${stored.size} bytes, over the ${panoramaConfig.maxInputBytes()}-byte limit`);
  }
  const client = await clientRegistry.get(task.clientId);
  const tags = client && isPublicKey(client, spec.key) ? { [BUCKET.publicTag.key]: BUCKET.publicTag.value } : undefined;
  const input = await objectStore.read(spec.key);
  try {
    const layout = await buildPanorama(
      input,
      {
        extension: spec.extension,
        format: spec.format,
        levelQuality: (level) => levelQuality(spec.qualities, level),
        fallbackQuality: spec.qualities.fallback,
        maxInputPixels: panoramaConfig.maxInputPixels(),
        // Progress is written only while the task is RUNNING: when that fails, it was stopped.
        onProgress: async (progress) => {
          await stillHolding(lease);
          if (!(await taskStore.patch(task, { set: { progress: Math.round(progress * 99) / 100 } }, { state: 'RUNNING' })))
            throw new TaskStopped();
        },
      },
      async (file) => {
        // config.json makes the set viewable: written only by the build that holds it still.
        if (file.path === 'config.json') await stillHolding(lease);
        await objectStore.putGenerated(`${spec.key}/${file.path}`, file.data, {
          contentType: file.path.endsWith('.json') ? 'application/json' : imageContentType(spec.format),
          ...(tags ? { tags } : {}),
        });
      },
    );
    return { layout };
  } catch (error) {
    if (isTesseraError(error) && error.kind !== 'internal') throw new JobFailure('InvalidImage', error.message);
    throw error;
  }
}

import { isTesseraError } from '../../core/errors.ts';
import { isPublicKey } from '../../core/client.ts';
import { imageContentType } from '../../core/image-content-type.ts';
import { levelQuality } from '../../core/panorama/submission.ts';
import { panoramaConfig } from '../../config.ts';
import { BUCKET } from '../../resources.ts';
import { clientRegistry } from '../../adapters/client-registry.ts';
import { objectStore } from '../../adapters/object-store.ts';
import { taskStore } from '../../adapters/task-store.ts';
import type { PanoramaResult } from '../../core/tasks/panorama.ts';
import type { PanoramaTask } from '../../services/panoramas.ts';
import { JobFailure, TaskStopped } from '../job-failure.ts';
import { oneAtATime } from '../one-at-a-time.ts';
import { buildPanorama } from './tiler.ts';

/**
 * One build at a time per process: a build takes both cores and up to ~1.2 GB, so a second one in
 * the same batch (or local worker) waits its turn instead of doubling the peak.
 */
const inTurn = oneAtATime();

/**
 * Builds one panorama set: reads the original, tiles it, writes every file under `{key}/` with
 * whole-object PUTs (a redelivered job rewrites the same files with the same bytes), and writes
 * progress to the task as faces finish.
 */
export function runPanorama(task: PanoramaTask): Promise<PanoramaResult> {
  return inTurn(() => buildSet(task));
}

async function buildSet(task: PanoramaTask): Promise<PanoramaResult> {
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
          if (!(await taskStore.patch(task, { set: { progress: Math.round(progress * 99) / 100 } }, { state: 'RUNNING' })))
            throw new TaskStopped();
        },
      },
      (file) =>
        objectStore.putGenerated(`${spec.key}/${file.path}`, file.data, {
          contentType: file.path.endsWith('.json') ? 'application/json' : imageContentType(spec.format),
          ...(tags ? { tags } : {}),
        }),
    );
    return { layout };
  } catch (error) {
    if (isTesseraError(error) && error.kind !== 'internal') throw new JobFailure('InvalidImage', error.message);
    throw error;
  }
}

import { imageSize } from 'image-size';
import type { Client } from '../core/client.ts';
import { conflict, invalidInput, notFound } from '../core/errors.ts';
import { checkRoomUnder, validateObjectName } from '../core/object-name.ts';
import { outputFiles, panoramaLayout } from '../core/panorama/layout.ts';
import { checkPanoramaHeader, notAnImage, tileFormatFor, type PanoramaQualities } from '../core/panorama/submission.ts';
import { FINAL_STATES, type TaskState } from '../core/task-states.ts';
import { newTaskId, TASK_ID_PATTERN } from '../core/task-id.ts';
import { defaultWorkspaceId } from '../core/workspaces.ts';
import { panoramaConfig } from '../config.ts';
import type { PanoramaSpec } from '../core/tasks/panorama.ts';
import { isKind, type Task } from '../core/tasks/task.ts';
import { objectStore } from '../adapters/object-store.ts';
import { taskStore } from '../adapters/task-store.ts';
import { INSPECTED_BYTES, storeFile, type FileContent } from './file-service.ts';
import { enqueueTask } from './task-queue.ts';

export type PanoramaTask = Task<'panorama'>;

export interface PanoramaRequest {
  readonly filename: string;
  readonly overwrite: boolean;
  readonly content: FileContent;
  readonly qualities: PanoramaQualities;
}

export type PanoramaStatus =
  | { readonly state: 'running'; readonly task: PanoramaTask }
  | { readonly state: 'finished'; readonly task: PanoramaTask; readonly files: string[] }
  | { readonly state: 'failed'; readonly task: PanoramaTask; readonly reason: string };

type TileEncoding = ReturnType<typeof tileFormatFor>;

/**
 * The tiles' format, once the header says the image can become a panorama and the set it makes
 * can be written under `key`.
 */
function inspectHeader(key: string, head: Buffer): TileEncoding {
  let header;
  try {
    header = imageSize(head);
  } catch {
    throw notAnImage();
  }
  const type = header.type ?? 'unknown';
  checkPanoramaHeader({ width: header.width, height: header.height, type }, panoramaConfig.maxInputPixels());
  const tiles = tileFormatFor(key, type);
  checkRoomUnder(key, longestSetPath(header.width, header.height, tiles.extension), 'the panorama set');
  return tiles;
}

/** The longest path the set of a width×height image writes under its original's key (all ASCII). */
function longestSetPath(width: number, height: number, extension: string): string {
  return outputFiles(panoramaLayout(width, height), extension).reduce((longest, path) => (path.length > longest.length ? path : longest));
}

/** States whose set is there to use: SUCCESS, and ARCHIVED (a kmp archive of a SUCCESS, which leaves the set as it was). */
const BUILT_STATES: ReadonlySet<TaskState> = new Set(['SUCCESS', 'ARCHIVED']);

export const panoramas = {
  /**
   * Stores the original as /upload does, after its header has shown a 2:1 JPEG, PNG or WebP
   * within the pixel limit, whose set's keys fit S3's, then records and queues the build. overwrite=0 refuses a name whose
   * original or set exists.
   */
  async submit(client: Client, request: PanoramaRequest): Promise<PanoramaTask> {
    const key = validateObjectName(request.filename, client.namespaces);
    if (!request.overwrite && (await objectStore.anyUnder(`${key}/`))) throw conflict(`a panorama set already exists under ${key}/`);
    let tiles: TileEncoding | undefined;
    const stored = await storeFile({
      client,
      filename: key,
      overwrite: request.overwrite,
      content: request.content,
      inspect: (head) => {
        tiles = inspectHeader(key, head);
      },
    });
    const task = await taskStore.create({
      taskId: newTaskId('t'),
      clientId: client.clientId,
      workspaceId: defaultWorkspaceId(client.clientId),
      kind: 'panorama',
      level: 0,
      state: 'PENDING',
      spec: { key, etag: stored.etag, ...tiles!, qualities: request.qualities },
      awaitingQueue: 'job',
    });
    await enqueueTask(task);
    return task;
  },

  /**
   * The build's spec for an original already stored (kmp names one by key): its header is read
   * and checked as /panorama checks an upload's.
   */
  async prepareStored(client: Client, filename: string, qualities: PanoramaQualities): Promise<PanoramaSpec> {
    const key = validateObjectName(filename, client.namespaces);
    const stored = await objectStore.head(key);
    if (!stored) throw invalidInput(`input object ${key} does not exist; upload it first`);
    const head = stored.size > 0 ? await objectStore.readStart(key, Math.min(stored.size, INSPECTED_BYTES)) : Buffer.alloc(0);
    return { key, etag: stored.etag, ...inspectHeader(key, head), qualities };
  },

  /** A task of this client's, of the panorama kind; anything else (another client's included) is "no such task". */
  async status(client: Client, taskId: string): Promise<PanoramaStatus> {
    const task = TASK_ID_PATTERN.test(taskId) ? await taskStore.get({ clientId: client.clientId, taskId }) : undefined;
    if (!task || !isKind(task, 'panorama')) throw notFound(`task ${taskId} does not exist`);
    if (!FINAL_STATES.has(task.state)) return { state: 'running', task };
    if (BUILT_STATES.has(task.state) && task.result) {
      return {
        state: 'finished',
        task,
        files: outputFiles(task.result.layout, task.spec.extension).map((path) => `${task.spec.key}/${path}`),
      };
    }
    return { state: 'failed', task, reason: failureReason(task.state, task.error?.message) };
  },
};

function failureReason(state: TaskState, message: string | undefined): string {
  if (message) return message;
  return state === 'CANCELLED' ? 'the task was cancelled' : `the task ended ${state}`;
}

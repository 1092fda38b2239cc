import * as z from 'zod/mini';
import { invalidInput } from '../core/errors.ts';
import { subtasks } from '../services/subtasks.ts';
import { kmpDialect } from './dialect.ts';
import { kmpOk } from './envelope.ts';
import { SubtaskPath, subtaskAt } from './subtask-path.ts';
import { subtaskDto } from './subtask-view.ts';

const UPLOAD_STATUSES = ['UPLOADING', 'UPLOAD_SUCCESS', 'UPLOAD_FAILED'] as const;

/**
 * PUT …/subtasks/{subtask_id}/upload-status `{subtask_status}` — Tessera's own route: KooMap has
 * the operation (its error codes prove it) but no source names its path or body.
 */
export const route = kmpDialect.route(
  {
    summary: "Tessera's route for a subtask's upload status: UPLOADING (from INIT), then UPLOAD_SUCCESS or UPLOAD_FAILED",
    path: SubtaskPath,
    body: { json: z.object({ subtask_status: z.string({ error: 'subtask_status is required' }) }) },
  },
  async ({ client, path, body }) => {
    const status = body.subtask_status as (typeof UPLOAD_STATUSES)[number];
    if (!UPLOAD_STATUSES.includes(status))
      throw invalidInput(`subtask_status ${body.subtask_status} is not one of ${UPLOAD_STATUSES.join(', ')}`, 'InvalidUploadStatus');
    const { task, subtask } = await subtaskAt(client, path);
    return kmpOk(subtaskDto(client, task, await subtasks.setUploadStatus(client, task, subtask, status)));
  },
);

export const handler = route.handler;

import * as z from 'zod/mini';
import { jsonResult, type HttpResult } from '../http/http-handler.ts';
import { isPublicKey, type Client } from '../core/client.ts';
import { parseQualities } from '../core/panorama/submission.ts';
import { panoramaConfig } from '../config.ts';
import { VIEWER_KEY } from '../resources.ts';
import { panoramas } from '../services/panoramas.ts';
import { storageDialect } from './dialect.ts';
import { storageOk } from './envelope.ts';
import { contentFields, contentOf, credentials, FILEDATA, overwriteField, overwriteFlag, requiredText } from './fields.ts';

const quality = z.optional(z.string());

// Loose: the quality fields are checked by the domain's own rule (core/panorama/submission.ts),
// which also refuses any other `*_quality` field.
const PanoramaFields = z
  .looseObject({
    ...credentials,
    task_id: z.optional(requiredText('task_id')),
    filename: z.optional(z.string()),
    overwrite: overwriteField,
    ...contentFields,
    fallback_quality: quality,
    '01_quality': quality,
    '02_quality': quality,
    '03_quality': quality,
    '04_quality': quality,
  })
  .check(
    z.refine((fields) => fields.task_id !== undefined || Boolean(fields.filename), { error: 'filename is required', path: ['filename'] }),
  );

/**
 * POST /panorama: with `task_id`, the state of that build; otherwise the original is stored as
 * /upload stores it and a build of its Pannellum set under `{filename}/` is queued.
 */
export const route = storageDialect.route(
  {
    summary: 'Store a 2:1 panorama and build its Pannellum multires set; or, with task_id, report on a build',
    body: { form: PanoramaFields, files: FILEDATA },
  },
  async ({ client, body, files }) => {
    if (body.task_id !== undefined) return taskState(client, body.task_id);
    const task = await panoramas.submit(client, {
      filename: body.filename!,
      overwrite: overwriteFlag(body.overwrite),
      content: contentOf(body, files),
      qualities: parseQualities(body as Readonly<Record<string, string>>, panoramaConfig.defaultQuality()),
    });
    return storageOk({ task_id: task.taskId });
  },
);

export const handler = route.handler;

/** Running: msg_code 0 with state and progress; finished: msg_code 1 with the files; failed: 400 with why. */
async function taskState(client: Client, taskId: string): Promise<HttpResult> {
  const status = await panoramas.status(client, taskId);
  const { task } = status;
  if (status.state === 'failed') return jsonResult(400, { message: status.reason, msg_code: 0 });
  if (status.state === 'running') return storageOk({ task_id: task.taskId, state: task.state, progress: task.progress ?? 0 }, 0);
  return storageOk({ task_id: task.taskId, state: task.state, files: status.files, ...publicUrls(task.spec.key, client) });
}

/**
 * Where Pannellum can load the set from, and the viewer page that opens it, when the namespace is
 * public and a public base is configured. The viewer is on the same origin as the set because
 * Pannellum's standalone page refuses a config from any other origin.
 */
function publicUrls(key: string, client: Client): { config_url?: string; viewer_url?: string } {
  const base = panoramaConfig.publicBaseUrl().replace(/\/$/, '');
  if (!base || !isPublicKey(client, key)) return {};
  const configUrl = `${base}/${key.split('/').map(encodeURIComponent).join('/')}/config.json`;
  // In the fragment, not the query: browsers never send it, so the page is one cached object and the
  // set's name stays out of CDN and server logs. Pannellum splits its parameters on & and = and
  // decodes each value once, so the config URL is encoded whole (its own %-escapes twice).
  return { config_url: configUrl, viewer_url: `${base}/${VIEWER_KEY}#config=${encodeURIComponent(configUrl)}` };
}

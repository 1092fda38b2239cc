import { httpHandler, jsonResult, type HttpResult } from '../http/http-handler.ts';
import { parseForm } from '../http/form.ts';
import { isPublicKey, type Client } from '../core/client.ts';
import { parseQualities } from '../core/panorama/submission.ts';
import { panoramaConfig } from '../config.ts';
import { VIEWER_KEY } from '../resources.ts';
import { panoramas } from '../services/panoramas.ts';
import { storageError, storageOk } from './envelope.ts';
import { authenticateBySecret, contentOf, overwriteFlag, requiredField } from './fields.ts';

/**
 * POST /panorama: with `task_id`, the state of that build; otherwise the original is stored as
 * /upload stores it and a build of its Pannellum set under `{filename}/` is queued.
 */
export const handler = httpHandler(async (event) => {
  const { fields, files } = await parseForm(event);
  const client = await authenticateBySecret(fields);
  if (fields.task_id !== undefined) return taskState(client, requiredField(fields, 'task_id'));
  const task = await panoramas.submit(client, {
    filename: requiredField(fields, 'filename'),
    overwrite: overwriteFlag(fields),
    content: contentOf(fields, files),
    qualities: parseQualities(fields, panoramaConfig.defaultQuality()),
  });
  return storageOk({ task_id: task.taskId });
}, storageError);

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

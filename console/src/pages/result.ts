import { api } from '../api.ts';
import { h, progressBar } from '../dom.ts';
import { kmp, type KmpTask, type Workspace } from '../kmp.ts';
import { RUNNING_STATES } from '../task-actions.ts';
import { openPanorama } from '../viewer.ts';

const POLL_MS = 1000;

interface FileInfo {
  message: { url: string; size: number; content_type: string };
}

const fileUrl = async (key: string) => (await api<FileInfo>('/get_file_info', { form: { filename: key } })).message.url;

/** Finds `name` anywhere in a parsed answer (ci's ProcessResult sits a few levels down). */
function findKey(value: unknown, name: string): unknown {
  if (!value || typeof value !== 'object') return undefined;
  if (name in value) return (value as Record<string, unknown>)[name];
  for (const child of Object.values(value)) {
    const found = findKey(child, name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * One task: its state and progress until it ends; then, for a PicProcess job, the original and
 * the result side by side with ci's ProcessResult; for a panorama, the viewer on its config.json;
 * for a failed task, why.
 */
export function resultPage(main: HTMLElement, workspace: Workspace, taskId: string): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let viewer: { destroy(): void } | undefined;
  const title = h('h1', { tabindex: -1 }, `Task ${taskId}`);
  const state = h('p', { class: 'task-state', 'aria-live': 'polite' });
  const bar = progressBar('Task progress', 0);
  const outcome = h('section', { 'aria-label': 'Result' });
  main.replaceChildren(title, state, bar, outcome);
  title.focus();

  const showJob = async (task: KmpTask) => {
    const [before, after, detail] = await Promise.all([
      fileUrl(task.input_object!),
      fileUrl(task.output_object!),
      api<unknown>(`/jobs/${encodeURIComponent(task.task_id)}`, { accept: 'application/json' }),
    ]);
    const result = findKey(detail, 'ProcessResult');
    outcome.replaceChildren(
      h(
        'div',
        { class: 'side-by-side' },
        h(
          'figure',
          {},
          h('img', { src: before, alt: `Original: ${task.input_object}` }),
          h('figcaption', {}, `Before: ${task.input_object}`),
        ),
        h(
          'figure',
          {},
          h('img', { src: after, alt: `Result: ${task.output_object}`, 'data-output': '' }),
          h('figcaption', {}, `After: ${task.output_object}`),
        ),
      ),
      h('h2', {}, 'ProcessResult'),
      h('pre', { class: 'process-result', tabindex: 0 }, JSON.stringify(result ?? detail, null, 2)),
    );
  };

  const showPanorama = async (task: KmpTask) => {
    const answer = await api<{ message: { config_url?: string } }>('/panorama', { form: { task_id: task.task_id } });
    const configUrl = answer.message.config_url;
    if (!configUrl) {
      outcome.replaceChildren(h('p', {}, 'Built. Its namespace is not public, so the set is not served for viewing.'));
      return;
    }
    // Pannellum's stylesheet makes its container 100% of its parent: the frame gives it a height.
    const container = h('div', {
      role: 'application',
      'aria-label': 'Panorama viewer: drag or use the arrow keys to look around',
      tabindex: 0,
    });
    outcome.replaceChildren(h('div', { class: 'panorama' }, container), h('p', {}, h('a', { href: configUrl }, 'config.json')));
    viewer = await openPanorama(container, configUrl);
  };

  const poll = async () => {
    try {
      const task = await kmp.get(workspace.workspace_id, taskId);
      if (stopped) return;
      if (!task) {
        state.textContent = 'No such task.';
        return;
      }
      title.textContent = `${task.task_type === 'PANORAMA' ? 'Panorama' : 'PicProcess'} ${task.task_name}`;
      const progress = Number(task.task_progress) || 0;
      bar.value = Math.round(progress * 100);
      state.textContent = `State: ${task.task_status === 'SUCCESS' ? 'Success' : task.task_status} (${Math.round(progress * 100)}%)`;
      state.dataset.state = task.task_status;
      if (RUNNING_STATES.has(task.task_status) || task.task_status === 'INIT') {
        timer = setTimeout(() => void poll(), POLL_MS);
        return;
      }
      if (task.task_status === 'FAILED' || task.task_status === 'START_FAILED') {
        outcome.replaceChildren(h('p', { class: 'error', role: 'alert' }, `Failed: ${task.fail_message ?? 'no reason was recorded'}`));
      } else if (task.task_status === 'SUCCESS' || task.task_status === 'ARCHIVED') {
        await (task.task_type === 'PANORAMA' ? showPanorama(task) : showJob(task));
      }
    } catch (error) {
      outcome.replaceChildren(h('p', { class: 'error', role: 'alert' }, (error as Error).message));
    }
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
    viewer?.destroy();
  };
}

import { announce, field, h, progressBar } from '../dom.ts';
import { kmp, type KmpTask, type Overview, type TaskFilter, type Workspace } from '../kmp.ts';
import { allowedActions, RUNNING_STATES, type TaskAction } from '../task-actions.ts';

const STATES = ['INIT', 'PENDING', 'STARTING', 'RUNNING', 'SUCCESS', 'FAILED', 'START_FAILED', 'STOPPING', 'STOP_SUCCESS', 'ARCHIVED'];
const PAGE_SIZE = 10;
const FAST_MS = 1500;
const SLOW_MS = 10_000;

const ACTION_LABELS: Record<TaskAction, string> = {
  start: 'Start',
  stop: 'Stop',
  archive: 'Archive',
  unarchive: 'Unarchive',
  delete: 'Delete',
};

/**
 * The kmp task list of a workspace: filters (state, type, name, creation time), paging, the
 * per-state counts, a progress bar per task, and only the actions the state table allows. It
 * refreshes itself, quickly while a task is moving. Returns a function that stops the refreshing.
 */
export function tasksPage(main: HTMLElement, workspace: Workspace): () => void {
  let filter: TaskFilter = { offset: 0, limit: PAGE_SIZE };
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const status = h(
    'select',
    { name: 'task_status' },
    h('option', { value: '' }, 'any'),
    ...STATES.map((state) => h('option', { value: state }, state)),
  );
  const type = h(
    'select',
    { name: 'task_type' },
    h('option', { value: '' }, 'any'),
    h('option', { value: 'PANORAMA' }, 'Panorama'),
    h('option', { value: 'PICPROCESS' }, 'PicProcess'),
  );
  const name = h('input', { name: 'task_name', type: 'search' });
  const from = h('input', { name: 'from', type: 'datetime-local' });
  const to = h('input', { name: 'to', type: 'datetime-local' });
  const filters = h(
    'form',
    { class: 'filters', 'aria-label': 'Filter tasks' },
    field('State', status),
    field('Type', type),
    field('Name contains', name),
    field('Created from', from),
    field('Created to', to),
    h('button', { type: 'submit' }, 'Apply'),
  );
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = {
      offset: 0,
      limit: PAGE_SIZE,
      status: status.value,
      type: type.value,
      name: name.value.trim(),
      from: from.value,
      to: to.value,
    };
    void refresh();
  });

  const counts = h('dl', { class: 'counts', 'aria-label': 'Tasks by state' });
  const body = h('tbody');
  const problem = h('p', { class: 'error', role: 'alert' });
  const pageText = h('span', { 'aria-live': 'polite' });
  const previous = h('button', { type: 'button' }, 'Previous page');
  const nextPage = h('button', { type: 'button' }, 'Next page');
  previous.addEventListener('click', () => {
    filter = { ...filter, offset: Math.max(0, filter.offset - PAGE_SIZE) };
    void refresh();
  });
  nextPage.addEventListener('click', () => {
    filter = { ...filter, offset: filter.offset + PAGE_SIZE };
    void refresh();
  });

  main.replaceChildren(
    h('h1', {}, 'Tasks'),
    h('p', {}, `Workspace ${workspace.workspace_name}`),
    counts,
    filters,
    problem,
    h(
      'table',
      { class: 'tasks' },
      h('caption', { class: 'visually-hidden' }, 'Tasks, newest first'),
      h(
        'thead',
        {},
        h('tr', {}, ...['Name', 'Type', 'State', 'Progress', 'Created (UTC)', 'Actions'].map((title) => h('th', { scope: 'col' }, title))),
      ),
      body,
    ),
    h('nav', { class: 'pager', 'aria-label': 'Pages of tasks' }, previous, pageText, nextPage),
  );

  const showCounts = (overview: Overview) => {
    const entries: Array<[string, number]> = [
      ['All', overview.total_count],
      ['Running', overview.running_count],
      ['Succeeded', overview.success_count],
      ['Failed', overview.failed_count],
      ['Archived', overview.archived_count],
    ];
    counts.replaceChildren(
      ...entries.flatMap(([label, count]) => [h('dt', {}, label), h('dd', { 'data-count': label.toLowerCase() }, count)]),
    );
  };

  const act = async (task: KmpTask, action: TaskAction) => {
    problem.textContent = '';
    try {
      if (action === 'start') await kmp.start(workspace.workspace_id, task.task_id);
      else if (action === 'stop') await kmp.stop(workspace.workspace_id, task.task_id);
      else if (action === 'archive' || action === 'unarchive')
        await kmp.archive(workspace.workspace_id, task.task_id, action === 'archive');
      else if (confirm(`Delete task ${task.task_name}? Its output files stay.`)) await kmp.remove(workspace.workspace_id, task.task_id);
      else return;
      announce(`${ACTION_LABELS[action]}: ${task.task_name}`);
    } catch (error) {
      problem.textContent = `${ACTION_LABELS[action]} ${task.task_name}: ${(error as Error).message}`;
    }
    await refresh();
  };

  const row = (task: KmpTask) => {
    const progress = Number(task.task_progress) || 0;
    const actions = allowedActions(task.task_status).map((action) => {
      const button = h(
        'button',
        { type: 'button', 'data-action': action, 'aria-label': `${ACTION_LABELS[action]} ${task.task_name}` },
        ACTION_LABELS[action],
      );
      button.addEventListener('click', () => void act(task, action));
      return button;
    });
    return h(
      'tr',
      { 'data-task': task.task_id, 'data-state': task.task_status },
      h('td', {}, h('a', { href: `#/task/${encodeURIComponent(task.task_id)}` }, task.task_name)),
      h('td', {}, task.task_type ?? ''),
      h(
        'td',
        { class: `state state-${task.task_status.toLowerCase()}` },
        task.task_status,
        task.fail_message ? h('span', { class: 'why' }, `: ${task.fail_message}`) : '',
      ),
      h('td', {}, progressBar(`Progress of ${task.task_name}`, progress), ` ${Math.round(progress * 100)}%`),
      h('td', {}, task.create_time?.replace('T', ' ').replace('Z', '') ?? ''),
      h('td', { class: 'actions' }, ...actions),
    );
  };

  async function refresh(): Promise<void> {
    clearTimeout(timer);
    let moving = false;
    try {
      const [list, overview] = await Promise.all([kmp.list(workspace.workspace_id, filter), kmp.overview(workspace.workspace_id)]);
      if (stopped) return;
      showCounts(overview);
      // Keep focus on a button that survives the redraw (same task, same action).
      const focused = document.activeElement as HTMLElement | null;
      const focusKey =
        focused?.closest('tr')?.dataset.task && focused.dataset.action
          ? [focused.closest('tr')!.dataset.task, focused.dataset.action]
          : undefined;
      body.replaceChildren(...(list.tasks.length ? list.tasks.map(row) : [h('tr', {}, h('td', { colspan: 6 }, 'No tasks match.'))]));
      if (focusKey) body.querySelector<HTMLElement>(`tr[data-task="${focusKey[0]}"] [data-action="${focusKey[1]}"]`)?.focus();
      const last = Math.min(filter.offset + list.tasks.length, list.page.total);
      pageText.textContent = list.page.total ? ` ${filter.offset + 1}–${last} of ${list.page.total} ` : ' 0 tasks ';
      previous.disabled = filter.offset === 0;
      nextPage.disabled = last >= list.page.total;
      moving = list.tasks.some((task) => RUNNING_STATES.has(task.task_status));
    } catch (error) {
      problem.textContent = (error as Error).message;
    }
    if (!stopped) timer = setTimeout(() => void refresh(), moving ? FAST_MS : SLOW_MS);
  }

  void refresh();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

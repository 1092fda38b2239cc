import { announce, field, h, progressBar } from '../dom.ts';
import { bytes, rateAndEta } from '../format.ts';
import { session } from '../session.ts';
import { identityOf, loadState, unfinished } from '../upload/state.ts';
import { cancelUpload, upload } from '../upload/uploader.ts';

const NAMESPACE_KEY = 'tessera.namespace';

/**
 * A file of any size into one of the client's namespaces: sliced and presigned (the ost routes),
 * parallel, with rate and ETA, resumable after a reload (choose the same file again), cancellable.
 */
export function uploadPage(main: HTMLElement): () => void {
  const clientId = session()!.clientId;
  const controller = { current: undefined as AbortController | undefined };
  const file = h('input', { name: 'file', type: 'file', required: true });
  const namespace = h('input', {
    name: 'namespace',
    required: true,
    value: localStorage.getItem(NAMESPACE_KEY) ?? '',
    spellcheck: 'false',
  });
  const path = h('input', { name: 'path', required: true, spellcheck: 'false' });
  const overwrite = h('input', { name: 'overwrite', type: 'checkbox' });
  const start = h('button', { type: 'submit' }, 'Upload');
  const cancel = h('button', { type: 'button', disabled: true }, 'Cancel');
  const bar = progressBar('Upload progress', 0);
  const detail = h('p', { class: 'detail', 'aria-live': 'polite' });
  const problem = h('p', { class: 'error', role: 'alert' });
  const done = h('p', { class: 'done' });

  const pendingList = h('ul', { class: 'pending' });
  const pendingTitle = h('h2', {}, 'Unfinished uploads');
  const showUnfinished = () => {
    const left = unfinished(clientId);
    pendingList.replaceChildren(
      ...left.map((state) => {
        const count = Object.keys(state.done).length;
        const total = Math.max(1, Math.ceil(state.file.size / state.sliceSize));
        const drop = h('button', { type: 'button' }, `Cancel ${state.file.name}`);
        drop.addEventListener('click', () => void cancelUpload(state).then(showUnfinished));
        return h(
          'li',
          {},
          `${state.file.name} (${bytes(state.file.size)}) → ${state.target}: ${count} of ${total} slices sent. Choose the same file to resume. `,
          drop,
        );
      }),
    );
    pendingList.hidden = pendingTitle.hidden = left.length === 0;
  };

  file.addEventListener('change', () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    const saved = loadState(clientId, identityOf(chosen));
    if (saved) {
      const slash = saved.target.indexOf('/');
      namespace.value = saved.target.slice(0, slash);
      path.value = saved.target.slice(slash + 1);
      overwrite.checked = saved.overwrite;
      detail.textContent = `An earlier upload of this file was interrupted: Upload resumes it.`;
    } else if (!path.value) {
      path.value = chosen.name;
    }
  });

  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'upload-title' },
    h('h1', { id: 'upload-title' }, 'Upload'),
    field('File', file),
    field('Namespace', namespace, 'One of your namespaces, e.g. the one your client was created with.'),
    field('Path in the namespace', path),
    h('div', { class: 'check' }, overwrite, h('label', { for: (overwrite.id = 'overwrite') }, 'Replace the file if it exists')),
    h('div', { class: 'buttons' }, start, cancel),
    bar,
    detail,
    problem,
    done,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    problem.textContent = '';
    done.replaceChildren();
    const target = `${namespace.value.trim()}/${path.value.trim().replace(/^\/+/, '')}`;
    localStorage.setItem(NAMESPACE_KEY, namespace.value.trim());
    const abort = (controller.current = new AbortController());
    start.disabled = true;
    cancel.disabled = false;
    let resumed = '';
    upload({
      file: chosen,
      clientId,
      target,
      overwrite: overwrite.checked,
      signal: abort.signal,
      onResume: (state) => (resumed = `Resumed upload ${state.uploadId}. `),
      onProgress: (progress) => {
        bar.value = Math.round((progress.sent / Math.max(1, progress.total)) * 100);
        detail.textContent =
          `${resumed}${progress.resumedSlices ? `${progress.resumedSlices} of ${progress.slices} slices were already sent. ` : ''}` +
          `${bytes(progress.sent)} of ${bytes(progress.total)}, ${rateAndEta(progress.sentThisRun, progress.seconds, progress.total - progress.sent)}`;
      },
    })
      .then((key) => {
        bar.value = 100;
        announce(`Uploaded ${key}`);
        done.replaceChildren(`Uploaded ${key}. `, h('a', { href: `#/work?input=${encodeURIComponent(key)}` }, 'Start work on it'));
      })
      .catch((error: Error) => {
        if (abort.signal.aborted) return;
        problem.textContent = `Upload failed: ${error.message}`;
      })
      .finally(() => {
        start.disabled = false;
        cancel.disabled = true;
        showUnfinished();
      });
  });
  cancel.addEventListener('click', () => {
    const chosen = file.files?.[0];
    controller.current?.abort(new Error('cancelled'));
    const saved = chosen && loadState(clientId, identityOf(chosen));
    if (saved) void cancelUpload(saved).then(showUnfinished);
    detail.textContent = 'Cancelled.';
    bar.value = 0;
  });

  main.replaceChildren(form, pendingTitle, pendingList);
  showUnfinished();
  file.focus();
  return () => controller.current?.abort(new Error('left the page'));
}

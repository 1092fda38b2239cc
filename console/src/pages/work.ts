import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import { kmp, type Workspace } from '../kmp.ts';
import { ruleProblem } from '../rule-check.ts';

const taskName = (prefix: string) => `${prefix}_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;

const quality = (name: string) => h('input', { name, type: 'number', min: 1, max: 100, inputmode: 'numeric', placeholder: 'default' });

/**
 * Start work on an uploaded file, as kmp tasks: a panorama build (qualities per level) or a
 * PicProcess job (a rule checked live by the server's own parser, or a template; JobLevel).
 */
export function workPage(main: HTMLElement, workspace: Workspace, input: string, go: (hash: string) => void): void {
  const inputObject = h('input', { name: 'input_object', required: true, value: input, spellcheck: 'false' });
  const kindPanorama = h('input', { type: 'radio', name: 'kind', value: 'PANORAMA', id: 'kind-panorama', checked: true });
  const kindJob = h('input', { type: 'radio', name: 'kind', value: 'PICPROCESS', id: 'kind-job' });
  const qualities = ['fallback_quality', '01_quality', '02_quality', '03_quality', '04_quality'].map(
    (name) => [name, quality(name)] as const,
  );
  const panoramaFields = h(
    'fieldset',
    {},
    h('legend', {}, 'Panorama: JPEG quality per level (1–100, empty for the default)'),
    ...qualities.map(([name, control]) => field(name === 'fallback_quality' ? 'Fallback cube' : `Level ${name.slice(1, 2)}`, control)),
  );

  const output = h('input', { name: 'output_object', spellcheck: 'false' });
  const rule = h('textarea', { name: 'process_rule', rows: 2, spellcheck: 'false', 'aria-describedby': 'rule-problem' });
  const ruleMessage = h('p', { id: 'rule-problem', class: 'error', 'aria-live': 'polite' });
  const template = h('input', { name: 'template_id', spellcheck: 'false', list: 'templates' });
  const templates = h('datalist', { id: 'templates' });
  // The client's ci templates, offered as choices (ci's DescribePicProcessTemplates, JSON).
  void api<{ Response?: { TemplateList?: Array<{ TemplateId: string; Name: string; PicProcess?: { ProcessRule?: string } }> } }>(
    '/template',
    {
      query: { tag: 'PicProcess', pageSize: 100 },
      accept: 'application/json',
    },
  )
    .then((answer) =>
      templates.replaceChildren(
        ...(answer.Response?.TemplateList ?? []).map((entry) =>
          h('option', { value: entry.TemplateId }, `${entry.Name}: ${entry.PicProcess?.ProcessRule ?? ''}`),
        ),
      ),
    )
    .catch(() => undefined);
  const level = h(
    'select',
    { name: 'job_level' },
    ...[0, 1, 2].map((value) => h('option', { value }, `JobLevel ${value}${value === 2 ? ' (first)' : ''}`)),
  );
  const picInfo = h('input', { type: 'checkbox', name: 'is_pic_info', id: 'is-pic-info' });
  const callback = h('input', { name: 'callback_url', type: 'url', spellcheck: 'false', placeholder: 'https://…' });
  const jobFields = h(
    'fieldset',
    { hidden: true },
    h('legend', {}, 'PicProcess job'),
    field('Output key', output, 'Where the result is written, in one of your namespaces.'),
    field('Rule', rule, 'An imageMogr2 rule, e.g. imageMogr2/thumbnail/256x; checked as you type by the same parser the server uses.'),
    ruleMessage,
    field('or a template id', template),
    templates,
    field('Priority', level),
    h('div', { class: 'check' }, picInfo, h('label', { for: 'is-pic-info' }, 'Also describe the original (IsPicInfo)')),
    field('Callback URL (optional)', callback, 'Told when the job ends, signed as ci signs callbacks (docs/ci.md).'),
  );
  const problem = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Start');

  const checkRule = (): string | undefined => {
    const text = rule.value.trim();
    const message = text ? ruleProblem(text) : template.value.trim() ? undefined : 'a rule or a template id is required';
    ruleMessage.textContent = message ?? (text ? 'The rule is valid.' : '');
    ruleMessage.className = message ? 'error' : 'ok';
    rule.setAttribute('aria-invalid', String(Boolean(message && text)));
    return message;
  };
  rule.addEventListener('input', checkRule);
  template.addEventListener('input', checkRule);
  const showKind = () => {
    panoramaFields.hidden = !kindPanorama.checked;
    jobFields.hidden = !kindJob.checked;
    output.required = kindJob.checked;
  };
  kindPanorama.addEventListener('change', showKind);
  kindJob.addEventListener('change', showKind);
  inputObject.addEventListener('change', () => {
    if (!output.value && inputObject.value) output.value = inputObject.value.replace(/(\.[^./]+)?$/, '-out$1');
  });
  inputObject.dispatchEvent(new Event('change'));

  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'work-title', novalidate: true },
    h('h1', { id: 'work-title' }, 'Start work'),
    field('Input file key', inputObject, '<namespace>/<path> of an uploaded file.'),
    h(
      'fieldset',
      { class: 'choice' },
      h('legend', {}, 'Work'),
      h('div', { class: 'check' }, kindPanorama, h('label', { for: 'kind-panorama' }, 'Panorama build')),
      h('div', { class: 'check' }, kindJob, h('label', { for: 'kind-job' }, 'PicProcess job')),
    ),
    panoramaFields,
    jobFields,
    problem,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    problem.textContent = '';
    if (!inputObject.value.trim()) {
      problem.textContent = 'Input file key is required.';
      inputObject.focus();
      return;
    }
    const body: Record<string, unknown> = { input_object: inputObject.value.trim() };
    if (kindPanorama.checked) {
      body.task_type = 'PANORAMA';
      body.task_name = taskName('panorama');
      for (const [name, control] of qualities) if (control.value) body[name] = Number(control.value);
    } else {
      // Nothing is sent for a rule the parser refuses.
      const message = checkRule();
      if (message) {
        problem.textContent = `Not sent: ${message}`;
        rule.focus();
        return;
      }
      if (!output.value.trim()) {
        problem.textContent = 'Output key is required.';
        output.focus();
        return;
      }
      body.task_type = 'PICPROCESS';
      body.task_name = taskName('picprocess');
      body.output_object = output.value.trim();
      if (rule.value.trim()) body.process_rule = rule.value.trim();
      else body.template_id = template.value.trim();
      body.job_level = Number(level.value);
      body.is_pic_info = picInfo.checked;
      if (callback.value.trim()) body.callback_url = callback.value.trim();
    }
    submit.disabled = true;
    kmp
      .create(workspace.workspace_id, body)
      .then(async (task) => {
        await kmp.start(workspace.workspace_id, task.task_id);
        go(`#/task/${encodeURIComponent(task.task_id)}`);
      })
      .catch((error: Error) => (problem.textContent = error.message))
      .finally(() => (submit.disabled = false));
  });
  main.replaceChildren(form);
  showKind();
  inputObject.focus();
}

import { field, h } from '../dom.ts';
import { signIn } from '../session.ts';

/** Client id and secret → an access token. The secret field is cleared as soon as it was sent. */
export function signInPage(main: HTMLElement, done: () => void): void {
  const clientId = h('input', { name: 'client_id', autocomplete: 'username', required: true, spellcheck: 'false' });
  const secret = h('input', { name: 'client_secret', type: 'password', autocomplete: 'current-password', required: true });
  const problem = h('p', { class: 'error', role: 'alert' });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card narrow', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in'),
    field('Client id', clientId),
    field('Secret', secret, 'Sent once to the token endpoint for an access token; never stored in this browser.'),
    problem,
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    problem.textContent = '';
    submit.disabled = true;
    const secretValue = secret.value;
    secret.value = '';
    signIn(clientId.value.trim(), secretValue)
      .then(done)
      .catch((error: Error) => {
        problem.textContent = `Sign-in failed: ${error.message}`;
        secret.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  main.replaceChildren(form);
  clientId.focus();
}

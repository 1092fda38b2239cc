import './style.css';
import { h } from './dom.ts';
import { defaultWorkspace, type Workspace } from './kmp.ts';
import { resultPage } from './pages/result.ts';
import { signInPage } from './pages/sign-in.ts';
import { tasksPage } from './pages/tasks.ts';
import { uploadPage } from './pages/upload.ts';
import { workPage } from './pages/work.ts';
import { onSessionChange, restore, session, signOut } from './session.ts';

/** The hash router: #/tasks, #/upload, #/work?input=<key>, #/task/<id>; the sign-in page without a session. */
const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const who = document.getElementById('who')!;
const signOutButton = document.getElementById('sign-out') as HTMLButtonElement;
let leave: (() => void) | void;
let workspace: Promise<Workspace> | undefined;

signOutButton.addEventListener('click', () => signOut());
onSessionChange((current) => {
  nav.hidden = signOutButton.hidden = !current;
  who.textContent = current ? `Client ${current.clientId}` : '';
  if (!current) {
    workspace = undefined;
    void route();
  }
});

const go = (hash: string) => {
  if (location.hash === hash) void route();
  else location.hash = hash;
};

async function route(): Promise<void> {
  leave?.();
  leave = undefined;
  if (!session()) {
    signInPage(main, () => go('#/tasks'));
    return;
  }
  const [path = '', search = ''] = location.hash.replace(/^#/, '').split('?');
  for (const link of nav.querySelectorAll('a')) {
    if (link.getAttribute('href') === `#${path}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    workspace ??= defaultWorkspace();
    const current = await workspace;
    if (path === '/upload') leave = uploadPage(main);
    else if (path === '/work') workPage(main, current, new URLSearchParams(search).get('input') ?? '', go);
    else if (path.startsWith('/task/')) leave = resultPage(main, current, decodeURIComponent(path.slice('/task/'.length)));
    else leave = tasksPage(main, current);
    document.title = `${main.querySelector('h1')?.textContent ?? 'Tessera'} · Tessera console`;
  } catch (error) {
    workspace = undefined;
    main.replaceChildren(h('p', { class: 'error', role: 'alert' }, (error as Error).message));
  }
}

window.addEventListener('hashchange', () => void route());
void restore().then(() => route());

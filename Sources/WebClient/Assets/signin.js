// Sign-in: after an LTI launch or an SSO link the token arrives in the URL fragment (app.js);
// on a node started with --dev-signin, this page offers a user picker.
import { api, session } from './api.js';
import { h, replace } from './dom.js';
import { t } from './i18n.js';

const recentKey = 'quad.recentUsers';
/** People the picker remembers (most recent first). */
const recentUsersMax = 8;
/** Offered on a fresh node so the first minute needs no typing. */
const suggestions = [
  { user_id: 'admin', name: 'Administrator', admin: true },
  { user_id: 'ines', name: 'Inés (instructor)', admin: false },
  { user_id: 'ana', name: 'Ana', admin: false },
  { user_id: 'ben', name: 'Ben', admin: false },
];

function recentUsers() {
  try { return JSON.parse(localStorage.getItem(recentKey)) || []; } catch { return []; }
}

function remember(user) {
  const list = [user, ...recentUsers().filter((item) => item.user_id !== user.user_id)].slice(0, recentUsersMax);
  localStorage.setItem(recentKey, JSON.stringify(list));
}

export async function renderSignIn(root, done, message) {
  let enabled = false;
  try {
    enabled = (await api('GET', '/v1/dev-signin')).enabled;
  } catch {
    enabled = false;
  }
  const intro = h('p', {}, t('signin_lms'));
  const children = [h('h1', {}, t('signin_title')), message && h('p', { class: 'notice', role: 'alert' }, message), intro];
  if (enabled) children.push(picker(done));
  replace(root, h('main', { id: 'main', class: 'signin', tabindex: '-1' }, h('section', { class: 'signin-card' }, children)));
}

function picker(done) {
  const error = h('p', { class: 'field-error', role: 'alert', id: 'signin-error' });
  const signIn = async (user) => {
    try {
      const answer = await api('POST', '/v1/dev-signin', user);
      session.save(answer.token, true);
      remember(user);
      await done();
    } catch (failure) {
      error.textContent = failure.message;
    }
  };
  const people = [...recentUsers(), ...suggestions].filter((user, index, all) => all.findIndex((item) => item.user_id === user.user_id) === index);
  const userInput = h('input', { id: 'signin-user', name: 'user_id', required: true, maxlength: 64, autocomplete: 'username',
    pattern: '[A-Za-z0-9._@:+\\-]{1,64}', spellcheck: 'false' });
  const nameInput = h('input', { id: 'signin-name', name: 'name', maxlength: 64, autocomplete: 'name' });
  const adminInput = h('input', { id: 'signin-admin', name: 'admin', type: 'checkbox' });
  const form = h('form', { class: 'stack', onsubmit: (event) => {
    event.preventDefault();
    const user = { user_id: userInput.value.trim(), admin: adminInput.checked };
    if (nameInput.value.trim()) user.name = nameInput.value.trim();
    signIn(user);
  } },
  h('label', { for: 'signin-user' }, t('user_id')), userInput,
  h('label', { for: 'signin-name' }, t('display_name')), nameInput,
  h('label', { class: 'choice' }, adminInput, h('span', {}, t('signin_as_admin'))),
  error,
  h('button', { type: 'submit', class: 'primary', id: 'signin-submit' }, t('sign_in')));
  return h('section', { class: 'dev-signin', 'aria-labelledby': 'dev-heading' },
    h('h2', { id: 'dev-heading' }, t('dev_signin_title')),
    h('p', { class: 'hint' }, t('dev_signin_warning')),
    h('ul', { class: 'people' }, people.map((user) => h('li', {},
      h('button', { type: 'button', class: 'person', dataset: { user: user.user_id }, onclick: () => signIn(user) },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, (user.name || user.user_id).slice(0, 1).toUpperCase()),
        h('span', {}, user.name || user.user_id, user.admin ? ` · ${t('administrator')}` : ''))))),
    h('h3', {}, t('someone_else')), form);
}

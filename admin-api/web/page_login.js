// Log in: username + API key for an access token (the token is what the
// page then holds), or an API key used as it is.
import {login, useKey, api} from './api.js';
import {el, field, input, show, errorBox, attempt} from './ui.js';
import {go} from './app.js';

export default function loginPage({params}) {
  const next = params.get('next') || '/links';
  const error = errorBox();
  const username = input('username', {autocomplete: 'username', required: true});
  const key = input('key', {type: 'password', autocomplete: 'current-password', required: true,
                            spellcheck: 'false'});
  const keyOnly = input('api-key', {type: 'password', autocomplete: 'off', required: true, spellcheck: 'false'});

  const tokenForm = el('form', {class: 'card', 'aria-labelledby': 'login-token-h'},
    el('h2', {id: 'login-token-h'}, 'Username and key'),
    el('p', {}, 'Your username is your personal team\u2019s site name, or your email. ' +
                'The page gets an access token for one hour and keeps it in memory only.'),
    field('Username', username),
    field('API key', key),
    el('button', {type: 'submit', class: 'primary'}, 'Log in'));
  tokenForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const ok = await attempt(async () => {
      await login(username.value, key.value);
      return true;
    }, error);
    if (ok) go(next);
  });

  const keyForm = el('form', {class: 'card', 'aria-labelledby': 'login-key-h'},
    el('h2', {id: 'login-key-h'}, 'API key only'),
    el('p', {}, 'Use a key directly (live_v1_\u2026 or test_v1_\u2026). It is held in this page\u2019s memory; reloading logs you out.'),
    field('API key', keyOnly),
    el('button', {type: 'submit'}, 'Use this key'));
  keyForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    useKey(keyOnly.value);
    // A cheap authenticated request proves the key before moving on.
    const ok = await attempt(async () => {
      await api('GET', '/api/v1/teams?size=1');
      return true;
    }, error);
    if (ok) go(next);
  });

  show(el('h1', {}, 'Log in'), error, el('div', {class: 'cols'}, tokenForm, keyForm));
}

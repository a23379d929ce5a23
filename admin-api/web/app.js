// The dashboard's entry: hash routes (#/links, #/links/new, ...) to page
// modules, each loaded when first opened, so the first load is this file,
// the CSS and the login page. Every page is a function (params) that
// renders into <main>.
import {loggedIn, logout, onLogout} from './api.js';

const routes = [
  [/^\/login$/, () => import('./page_login.js')],
  [/^\/links$/, () => import('./page_links.js')],
  [/^\/links\/new$/, () => import('./page_link_form.js')],
  [/^\/links\/(?<code>[a-z0-9-]+)\/edit$/, () => import('./page_link_form.js')],
  [/^\/links\/(?<code>[a-z0-9-]+)\/analytics$/, () => import('./page_link_analytics.js')],
  [/^\/bulk$/, () => import('./page_bulk.js')],
  [/^\/analytics$/, () => import('./page_team_analytics.js')],
  [/^\/campaigns$/, () => import('./page_campaigns.js')],
  [/^\/domains$/, () => import('./page_domains.js')],
  [/^\/teams$/, () => import('./page_teams.js')],
  [/^\/integration$/, () => import('./page_integration.js')],
];

// "#/links?search=x" -> {path: '/links', params: URLSearchParams}
export function currentRoute() {
  const hash = location.hash.replace(/^#/, '') || '/links';
  const [path, search] = hash.split('?');
  return {path, params: new URLSearchParams(search || '')};
}

export function go(path, params) {
  const q = params ? new URLSearchParams(params).toString() : '';
  const target = '#' + path + (q ? '?' + q : '');
  if (location.hash === target) render();
  else location.hash = target;
}

let rendering = 0;
async function render() {
  const ticket = ++rendering;
  let {path, params} = currentRoute();
  if (!loggedIn() && path !== '/login') {
    // Remember where to go after logging in.
    params = new URLSearchParams({next: path});
    path = '/login';
  }
  document.getElementById('nav').hidden = !loggedIn();
  for (const a of document.querySelectorAll('#nav a')) {
    const here = path.startsWith(a.getAttribute('href').slice(1));
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const route = routes.find(([pattern]) => pattern.test(path));
  if (!route) {
    go('/links');
    return;
  }
  const match = path.match(route[0]);
  const module = await route[1]();
  if (ticket !== rendering) return; // a later navigation won
  await module.default({...(match.groups || {}), params});
}

// After a logout or a refused credential; the login page stays (with its error) if already there.
// The skip link moves focus without touching the hash, which holds the route.
document.querySelector('.skip').addEventListener('click', (e) => {
  e.preventDefault();
  document.getElementById('main').focus();
});
onLogout(() => {
  if (currentRoute().path !== '/login') go('/login');
});
document.getElementById('logout').addEventListener('click', () => logout());
window.addEventListener('hashchange', render);
render();

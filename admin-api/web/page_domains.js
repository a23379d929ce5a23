// Custom domains: list, add (with where / and unknown codes go), change, delete.
import {api} from './api.js';
import {el, field, input, button, show, errorBox, attempt, table, fmtDate, announce} from './ui.js';
import {go} from './app.js';
import {forgetLookups} from './lookups.js';

export default async function domainsPage() {
  const error = errorBox();
  const host = input('host', {required: true, placeholder: 'go.example.org'});
  const root = input('rootRedirect', {type: 'url'});
  const notFound = input('notFoundUrl', {type: 'url'});
  const add = el('form', {class: 'card', 'aria-labelledby': 'add-domain'},
    el('h2', {id: 'add-domain'}, 'Add a domain'),
    el('p', {class: 'hint'}, 'Point the host\u2019s DNS at your redirect nodes; they learn the domain at once.'),
    field('Host', host), field('Where / goes', root, 'Optional'), field('Where an unknown code goes', notFound, 'Optional'),
    el('button', {type: 'submit', class: 'primary'}, 'Add domain'));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {host: host.value.trim()};
    if (root.value.trim()) body.rootRedirect = root.value.trim();
    if (notFound.value.trim()) body.notFoundUrl = notFound.value.trim();
    if (await attempt(() => api('POST', '/api/v1/domains', body), error)) {
      forgetLookups();
      announce(`${body.host} added.`);
      go('/domains');
    }
  });
  const list = await attempt(() => api('GET', '/api/v1/domains?size=100'), error);
  const rows = (list ? list.items : []).map((d) => el('tr', {},
    el('td', {}, el('a', {href: `#/links?domain=${encodeURIComponent(d.host)}`}, d.host)),
    el('td', {class: 'url'}, d.rootRedirect || '404 page'),
    el('td', {class: 'url'}, d.notFoundUrl || '404 page'),
    el('td', {}, fmtDate(d.createdAt)),
    el('td', {class: 'actions'},
       button('Change', async () => {
         const r = prompt(`Where / on ${d.host} goes (empty: the 404 page)`, d.rootRedirect || '');
         if (r === null) return;
         const n = prompt(`Where an unknown code on ${d.host} goes (empty: the 404 page)`, d.notFoundUrl || '');
         if (n === null) return;
         if (await attempt(() => api('PATCH', `/api/v1/domains/${d.host}`,
                                     {rootRedirect: r.trim() || null, notFoundUrl: n.trim() || null}), error))
           go('/domains');
       }, {class: 'small', 'aria-label': `Change ${d.host}`}),
       button('Delete', async () => {
         if (!confirm(`Delete ${d.host}?`)) return;
         if (await attempt(() => api('DELETE', `/api/v1/domains/${d.host}`), error) !== undefined) {
           forgetLookups();
           go('/domains');
         }
       }, {class: 'small danger', 'aria-label': `Delete ${d.host}`}))));
  show(el('h1', {}, 'Domains'), error,
       table('Custom domains', ['Host (its links)', 'Root goes to', 'Unknown codes go to', 'Added', 'Actions'], rows), add);
}

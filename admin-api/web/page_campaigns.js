// Campaigns: list (searched by name), create, rename, delete.
import {api, query} from './api.js';
import {el, field, input, button, show, errorBox, attempt, table, fmtDate, announce} from './ui.js';
import {go} from './app.js';
import {forgetLookups} from './lookups.js';

export default async function campaignsPage({params}) {
  const search = params.get('search') || '';
  const error = errorBox();
  const name = input('name', {required: true, maxlength: '100'});
  const create = el('form', {class: 'inline-form', 'aria-label': 'New campaign'},
    field('New campaign name', name), el('button', {type: 'submit', class: 'primary'}, 'Create'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(() => api('POST', '/api/v1/campaigns', {name: name.value.trim()}), error)) {
      forgetLookups();
      announce(`Campaign \u201c${name.value.trim()}\u201d created.`);
      go('/campaigns');
    }
  });
  const searchBox = input('search', {type: 'search', value: search});
  const find = el('form', {class: 'inline-form', role: 'search', 'aria-label': 'Search campaigns'},
    field('Search campaigns', searchBox), el('button', {type: 'submit'}, 'Search'));
  find.addEventListener('submit', (e) => {
    e.preventDefault();
    go('/campaigns', searchBox.value.trim() ? {search: searchBox.value.trim()} : null);
  });
  const list = await attempt(() => api('GET', '/api/v1/campaigns' + query({search, size: 100})), error);
  const rows = (list ? list.items : []).map((c) => el('tr', {},
    el('td', {}, el('a', {href: `#/links?campaign=${c.id}`}, c.name)),
    el('td', {}, fmtDate(c.createdAt)),
    el('td', {class: 'actions'},
       button('Rename', async () => {
         const next = prompt('New name', c.name);
         if (!next || next.trim() === c.name) return;
         if (await attempt(() => api('PATCH', `/api/v1/campaigns/${c.id}`, {name: next.trim()}), error)) {
           forgetLookups();
           go('/campaigns', search ? {search} : null);
         }
       }, {class: 'small', 'aria-label': `Rename ${c.name}`}),
       button('Delete', async () => {
         if (!confirm(`Delete the campaign \u201c${c.name}\u201d?`)) return;
         if (await attempt(() => api('DELETE', `/api/v1/campaigns/${c.id}`), error) !== undefined) {
           forgetLookups();
           go('/campaigns', search ? {search} : null);
         }
       }, {class: 'small danger', 'aria-label': `Delete ${c.name}`}))));
  show(el('h1', {}, 'Campaigns'), create, find, error,
       table(`Campaigns (${list ? list.total : 0})`, ['Name (its links)', 'Created', 'Actions'], rows));
}

// Links: the team's links as a table, searched, filtered, sorted and paged
// by the server (GET /api/v1/urls), so it stays quick at a million links.
// The filters live in the hash (#/links?search=..&state=..), so Back,
// reload-free bookmarks and the pager all work alike.
import {api, query} from './api.js';
import {el, field, input, select, button, show, table, fmtDate, fmtNumber, announce, attempt, errorBox}
  from './ui.js';
import {go} from './app.js';
import {teamCampaigns, teamDomains} from './lookups.js';
import {showQr} from './qr_dialog.js';

const PAGE_SIZE = 20;

export default async function linksPage({params}) {
  const f = {
    search: params.get('search') || '',
    state: params.get('state') || '',
    tag: params.get('tag') || '',
    campaign: params.get('campaign') || '',
    domain: params.get('domain') || '',
    hidden: params.get('hidden') === 'true',
    orderBy: params.get('orderBy') || 'createdAt',
    sortDirection: params.get('sortDirection') || 'desc',
    page: Math.max(0, Number(params.get('page')) || 0),
  };
  const error = errorBox();
  const [campaigns, domains] = await Promise.all([teamCampaigns(), teamDomains()]);

  const search = input('search', {type: 'search', value: f.search, placeholder: 'code, URL, title or tag'});
  const state = select('state', [['', 'Any'], ['ACTIVE', 'Active'], ['INACTIVE', 'Inactive']], f.state);
  const tag = input('tag', {value: f.tag});
  const campaign = select('campaign', [['', 'Any'], ...campaigns.map((c) => [String(c.id), c.name])], f.campaign);
  const domain = select('domain', [['', 'Default domain'], ...domains.map((d) => [d.host, d.host])], f.domain);
  const hidden = input('hidden', {type: 'checkbox', checked: f.hidden});
  const sort = select('sort', [['createdAt:desc', 'Newest first'], ['createdAt:asc', 'Oldest first'],
                               ['clicks:desc', 'Most clicks'], ['clicks:asc', 'Fewest clicks']],
                      `${f.orderBy}:${f.sortDirection}`);
  const filters = el('form', {class: 'filters', role: 'search', 'aria-label': 'Search links'},
    field('Search', search), field('State', state), field('Tag', tag), field('Campaign', campaign),
    field('Domain', domain), field('Sort', sort), field('Include hidden links', hidden),
    el('button', {type: 'submit', class: 'primary'}, 'Search'));
  const apply = (page = 0) => {
    const [orderBy, sortDirection] = sort.value.split(':');
    go('/links', Object.fromEntries(Object.entries({
      search: search.value.trim(), state: state.value, tag: tag.value.trim(), campaign: campaign.value,
      domain: domain.value, hidden: hidden.checked ? 'true' : '', orderBy, sortDirection,
      page: page ? String(page) : '',
    }).filter(([, v]) => v)));
  };
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });
  for (const control of [state, campaign, domain, sort, hidden]) control.addEventListener('change', () => apply());

  const heading = el('h1', {}, 'Links');
  const newLink = el('a', {href: '#/links/new', class: 'button primary'}, 'New link');
  show(el('div', {class: 'page-head'}, heading, newLink), filters, error, el('p', {}, 'Loading\u2026'));

  const result = await attempt(() => api('GET', '/api/v1/urls' + query({
    limit: PAGE_SIZE, offset: f.page * PAGE_SIZE, searchText: f.search, state: f.state, tag: f.tag,
    campaignIds: f.campaign, domain: f.domain, hidden: f.hidden ? 'true' : '', orderBy: f.orderBy,
    sortDirection: f.sortDirection,
  })), error);
  if (!result) {
    show(el('div', {class: 'page-head'}, heading, newLink), filters, error);
    return;
  }
  const campaignName = new Map(campaigns.map((c) => [c.id, c.name]));
  const rows = result.urls.map((link) => linkRow(link, campaignName, () => apply(f.page)));
  const pages = Math.max(1, Math.ceil(result.count / PAGE_SIZE));
  const pager = el('nav', {class: 'pager', 'aria-label': 'Pages'},
    button('Previous', () => apply(f.page - 1), {disabled: f.page === 0 ? true : null}),
    el('span', {}, `Page ${f.page + 1} of ${pages} \u00b7 ${fmtNumber(result.count)} links`),
    button('Next', () => apply(f.page + 1), {disabled: f.page + 1 >= pages ? true : null}));
  show(el('div', {class: 'page-head'}, heading, newLink), filters, error,
       table(`Links, page ${f.page + 1} of ${pages}`,
             ['Short link', 'Target', 'Title and tags', 'State', 'Clicks', 'Created', 'Actions'], rows),
       pager);
}

function linkRow(link, campaignName, reload) {
  const where = link.domain ? `?domain=${encodeURIComponent(link.domain)}` : '';
  const rules = [];
  if (link.passwordProtected) rules.push('password');
  if (link.expiresAt) rules.push('expires ' + fmtDate(link.expiresAt));
  if (link.maxClicks) rules.push(`limit ${fmtNumber(link.maxClicks)}`);
  if (link.deviceTargets) rules.push('devices');
  if (link.abTargets) rules.push('A/B');
  if (link.utm) rules.push('UTM');
  if (link.hidden) rules.push('hidden');
  const toggle = link.state === 'ACTIVE' ? 'Deactivate' : 'Activate';
  return el('tr', {},
    el('td', {}, el('a', {href: `#/links/${link.shortUrl}/analytics${where}`, class: 'code'},
                    (link.domain ? link.domain : '') + '/' + link.shortUrl),
       rules.length ? el('div', {class: 'rules'}, rules.join(' \u00b7 ')) : null),
    el('td', {class: 'url'}, link.longUrl),
    el('td', {}, link.title || '',
       link.campaignId ? el('div', {class: 'muted'}, 'Campaign: ' + (campaignName.get(link.campaignId) || link.campaignId)) : null,
       (link.tags || []).length ? el('ul', {class: 'tags', 'aria-label': 'Tags'}, link.tags.map((t) => el('li', {}, t))) : null),
    el('td', {}, el('span', {class: 'state ' + link.state.toLowerCase()}, link.state === 'ACTIVE' ? 'Active' : 'Inactive')),
    el('td', {class: 'num'}, fmtNumber(link.clicks)),
    el('td', {}, fmtDate(link.createdAt)),
    el('td', {class: 'actions'},
       el('a', {href: `#/links/${link.shortUrl}/edit${where}`, 'aria-label': `Edit /${link.shortUrl}`}, 'Edit'),
       el('a', {href: `#/links/${link.shortUrl}/analytics${where}`, 'aria-label': `Analytics of /${link.shortUrl}`}, 'Analytics'),
       button('QR', () => showQr(link), {'aria-label': `QR code of /${link.shortUrl}`, class: 'small'}),
       button(toggle, async () => {
         const done = await attempt(() => api('PATCH', `/api/v1/urls/${link.shortUrl}${where}`,
                                                    {state: link.state === 'ACTIVE' ? 'INACTIVE' : 'ACTIVE'}));
         if (done) {
           announce(`/${link.shortUrl} ${toggle.toLowerCase()}d.`);
           reload();
         }
       }, {'aria-label': `${toggle} /${link.shortUrl}`, class: 'small'}),
       button('Delete', async () => {
         if (!confirm(`Delete /${link.shortUrl}? Its visitors will get a 404.`)) return;
         const done = await attempt(() => api('DELETE', `/api/v1/urls/${link.shortUrl}${where}`));
         if (done !== undefined) {
           announce(`/${link.shortUrl} deleted.`);
           reload();
         }
       }, {'aria-label': `Delete /${link.shortUrl}`, class: 'small danger'})));
}

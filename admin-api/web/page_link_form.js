// Create or edit a link with every rule the API has (LinkFields in
// openapi.yaml): title, tags, campaign, hidden, expiry, click limit, unique
// clicks, password, device targets, A/B targets, UTM, forward query and
// redirect type. On edit every rule is sent, null when emptied, so clearing
// a box clears the rule; the password only when changed.
import {api, query} from './api.js';
import {el, field, input, select, button, show, errorBox, attempt, announce} from './ui.js';
import {go} from './app.js';
import {teamCampaigns, teamDomains} from './lookups.js';
import {showQr} from './qr_dialog.js';

const DEVICES = [['ios', 'iOS'], ['android', 'Android'], ['windows', 'Windows Phone'], ['mobile', 'Other mobile']];
const UTM = ['source', 'medium', 'campaign', 'term', 'content'];

// "2030-01-31T00:00:00Z" -> "2030-01-31T00:00" in local time, for datetime-local.
function toLocalInput(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export default async function linkFormPage({code, params}) {
  const editing = Boolean(code);
  const domainOfLink = params.get('domain') || '';
  const error = errorBox();
  const [campaigns, domains] = await Promise.all([teamCampaigns(), teamDomains()]);
  let link = {};
  if (editing) {
    link = await attempt(() => api('GET', `/api/v1/urls/${code}` + query({domain: domainOfLink})), error);
    if (!link) {
      show(el('h1', {}, `Edit /${code}`), error);
      return;
    }
  }

  const c = {
    longUrl: input('longUrl', {type: 'url', required: true, value: link.longUrl || '', placeholder: 'https://example.com/page'}),
    shortUrl: input('shortUrl', {pattern: '[A-Za-z0-9-]{1,64}', value: link.shortUrl || '', disabled: editing ? true : null}),
    domain: select('domain', [['', 'Default domain'], ...domains.map((d) => [d.host, d.host])], link.domain || ''),
    state: select('state', [['ACTIVE', 'Active'], ['INACTIVE', 'Inactive']], link.state || 'ACTIVE'),
    title: input('title', {maxlength: '200', value: link.title || ''}),
    tags: input('tags', {value: (link.tags || []).join(', ')}),
    campaignId: select('campaignId', [['', 'None'], ...campaigns.map((x) => [String(x.id), x.name])],
                       link.campaignId ? String(link.campaignId) : ''),
    hidden: input('hidden', {type: 'checkbox', checked: link.hidden}),
    expiresAt: input('expiresAt', {type: 'datetime-local', value: toLocalInput(link.expiresAt)}),
    expiredUrl: input('expiredUrl', {type: 'url', value: link.expiredUrl || ''}),
    maxClicks: input('maxClicks', {type: 'number', min: '1', value: link.maxClicks || ''}),
    clickLimitUrl: input('clickLimitUrl', {type: 'url', value: link.clickLimitUrl || ''}),
    clickType: select('clickType', [['ALL', 'Every click'], ['UNIQUE', 'Unique visitors']], link.clickType || 'ALL'),
    uniqueWindowMinutes: input('uniqueWindowMinutes', {type: 'number', min: '1', max: '527040',
                                                      value: link.uniqueWindowMinutes || ''}),
    password: input('password', {type: 'password', autocomplete: 'new-password', maxlength: '128'}),
    removePassword: input('removePassword', {type: 'checkbox'}),
    forwardQuery: input('forwardQuery', {type: 'checkbox', checked: link.forwardQuery}),
    redirectType: select('redirectType', [['', 'The node\u2019s default'], ['301', '301 Moved Permanently'],
                                          ['302', '302 Found'], ['307', '307 Temporary Redirect'],
                                          ['308', '308 Permanent Redirect']],
                         link.redirectType ? String(link.redirectType) : ''),
  };
  const device = Object.fromEntries(DEVICES.map(([k]) => [k, input('device-' + k, {type: 'url',
    value: (link.deviceTargets || {})[k] || ''})]));
  const utm = Object.fromEntries(UTM.map((k) => [k, input('utm-' + k, {maxlength: '100', value: (link.utm || {})[k] || ''})]));

  // A/B targets: rows of URL + percentage, added and removed by buttons.
  const abList = el('ol', {class: 'ab-rows'});
  const addAb = (url = '', percentage = '') => {
    const n = abList.children.length + 1;
    const u = input('ab-url', {type: 'url', value: url});
    const p = input('ab-percentage', {type: 'number', min: '1', max: '100', value: percentage});
    const row = el('li', {class: 'ab-row'}, field(`Target ${n} URL`, u), field(`Target ${n} percentage`, p),
                   button('Remove', () => row.remove(), {class: 'small', 'aria-label': `Remove target ${n}`}));
    abList.append(row);
  };
  for (const t of link.abTargets || []) addAb(t.url, t.percentage);

  const passwordHint = link.passwordProtected ? 'This link has a password; leave empty to keep it.'
                                              : 'Visitors must type it before being sent on.';
  const form = el('form', {class: 'link-form', novalidate: true},
    el('fieldset', {}, el('legend', {}, 'Link'),
       field('Target URL', c.longUrl, 'https:// only'),
       field('Short code', c.shortUrl, editing ? 'The code cannot change.' : 'Optional: 8 random characters when empty.'),
       editing ? null : field('Domain', c.domain),
       editing ? field('State', c.state) : null,
       field('Title', c.title), field('Tags', c.tags, 'Separated by commas'),
       field('Campaign', c.campaignId), field('Hidden from the list', c.hidden)),
    el('fieldset', {}, el('legend', {}, 'Expiry and click limit'),
       field('Expires at', c.expiresAt, 'Your local time'), field('After expiry, go to', c.expiredUrl, 'Empty: 410 Gone'),
       field('Click limit', c.maxClicks), field('Past the limit, go to', c.clickLimitUrl, 'Empty: 410 Gone'),
       field('Count', c.clickType), field('Unique window (minutes)', c.uniqueWindowMinutes, 'With unique visitors; default a day')),
    el('fieldset', {}, el('legend', {}, 'Password'),
       field('Password', c.password, passwordHint),
       link.passwordProtected ? field('Remove the password', c.removePassword) : null),
    el('fieldset', {}, el('legend', {}, 'Targets by device'),
       DEVICES.map(([k, label]) => field(label, device[k]))),
    el('fieldset', {}, el('legend', {}, 'A/B test'),
       el('p', {class: 'hint'}, 'Each visitor is sent to one target by weight; the percentages sum to 100.'),
       abList, button('Add a target', () => addAb(), {class: 'small'})),
    el('fieldset', {}, el('legend', {}, 'UTM parameters'), UTM.map((k) => field('utm_' + k, utm[k]))),
    el('fieldset', {}, el('legend', {}, 'Redirect'),
       field('Forward the visitor\u2019s query string', c.forwardQuery), field('Redirect type', c.redirectType)),
    error,
    el('div', {class: 'actions'},
       el('button', {type: 'submit', class: 'primary'}, editing ? 'Save' : 'Create link'),
       el('a', {href: '#/links', class: 'button'}, 'Cancel'),
       editing ? button('QR code', () => showQr(link)) : null));

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = collect(c, device, utm, abList, editing, link);
    const path = editing ? `/api/v1/urls/${code}` + query({domain: domainOfLink}) : '/api/v1/urls';
    const saved = await attempt(() => api(editing ? 'PATCH' : 'POST', path, body), error);
    if (!saved) {
      error.focus?.();
      return;
    }
    announce(editing ? `/${saved.shortUrl} saved.` : `/${saved.shortUrl} created.`);
    go('/links');
  });
  error.tabIndex = -1;

  show(el('h1', {}, editing ? `Edit /${code}` : 'New link'), form);
}

// The request body from the form; on edit, emptied rules as null.
function collect(c, device, utm, abList, editing, link) {
  const text = (control) => control.value.trim();
  const orNull = (v) => (v === '' ? null : v);
  const body = {longUrl: text(c.longUrl)};
  if (!editing) {
    if (text(c.shortUrl)) body.shortUrl = text(c.shortUrl).toLowerCase();
    if (c.domain.value) body.domain = c.domain.value;
  } else {
    body.state = c.state.value;
  }
  const set = (name, value) => {
    if (editing || (value !== null && value !== false)) body[name] = value;
  };
  set('title', orNull(text(c.title)));
  const tags = text(c.tags).split(',').map((t) => t.trim()).filter(Boolean);
  set('tags', tags.length ? tags : editing ? [] : null);
  set('campaignId', c.campaignId.value ? Number(c.campaignId.value) : null);
  set('hidden', c.hidden.checked ? true : editing ? false : null);
  set('expiresAt', c.expiresAt.value ? new Date(c.expiresAt.value).toISOString().replace(/\.\d{3}Z$/, 'Z') : null);
  set('expiredUrl', orNull(text(c.expiredUrl)));
  set('maxClicks', c.maxClicks.value ? Number(c.maxClicks.value) : null);
  set('clickLimitUrl', orNull(text(c.clickLimitUrl)));
  set('clickType', c.clickType.value === 'UNIQUE' ? 'UNIQUE' : editing ? 'ALL' : null);
  set('uniqueWindowMinutes', c.uniqueWindowMinutes.value ? Number(c.uniqueWindowMinutes.value) : null);
  if (c.password.value) body.password = c.password.value;
  else if (editing && link.passwordProtected && c.removePassword.checked) body.password = null;
  const devices = Object.fromEntries(Object.entries(device).filter(([, i]) => text(i)).map(([k, i]) => [k, text(i)]));
  set('deviceTargets', Object.keys(devices).length ? devices : null);
  const ab = [...abList.querySelectorAll('.ab-row')].map((row) => ({
    url: row.querySelector('[name=ab-url]').value.trim(),
    percentage: Number(row.querySelector('[name=ab-percentage]').value),
  })).filter((t) => t.url);
  set('abTargets', ab.length ? ab : editing ? [] : null);
  const tags2 = Object.fromEntries(Object.entries(utm).filter(([, i]) => text(i)).map(([k, i]) => [k, text(i)]));
  set('utm', Object.keys(tags2).length ? tags2 : null);
  set('forwardQuery', c.forwardQuery.checked ? true : editing ? false : null);
  set('redirectType', c.redirectType.value ? Number(c.redirectType.value) : null);
  return body;
}

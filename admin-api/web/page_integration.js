// API Integration: the team this session acts in (its UUID and site name),
// this month's requests against the quota, a new scoped key (its secret
// shown once, with a copy button), and the team's keys, revocable.
import {api} from './api.js';
import {el, field, input, select, button, show, errorBox, attempt, table, fmtDate, fmtNumber, copyText, announce}
  from './ui.js';
import {go} from './app.js';

const ENDPOINTS = ['urls', 'bulk', 'keys', 'users', 'teams', 'campaigns', 'domains', 'analytics', 'usage', 'webhooks'];
const METHODS = ['GET', 'POST', 'PUT/PATCH', 'DELETE'];

// The secret of the key made last: shown until the page is left.
let fresh = null;

export default async function integrationPage() {
  const error = errorBox();
  const [keys, teams, usage] = await Promise.all([
    attempt(() => api('GET', '/api/v1/keys'), error),
    attempt(() => api('GET', '/api/v1/teams?size=100'), error),
    attempt(() => api('GET', '/api/v1/usage'), error),
  ]);
  const keyList = keys ? keys.keys : [];
  const teamList = teams ? teams.items : [];
  // Every key listed acts in the calling key's team.
  const teamId = (keyList.find((k) => k.teamId) || {}).teamId;
  const team = teamList.find((t) => t.id === teamId) || teamList.find((t) => t.personal);

  const parts = [el('h1', {}, 'API Integration'), error];
  if (fresh) {
    const secret = el('code', {id: 'new-key'}, fresh);
    parts.push(el('section', {class: 'card notice', 'aria-labelledby': 'fresh-h'},
      el('h2', {id: 'fresh-h'}, 'Your new key'),
      el('p', {}, 'Copy it now: it is shown only once and cannot be read again.'),
      el('p', {class: 'secret'}, secret, ' ', button('Copy', () => copyText(fresh), {class: 'small'}))));
    fresh = null;
  }
  parts.push(el('section', {class: 'card', 'aria-labelledby': 'team-h'},
    el('h2', {id: 'team-h'}, 'Team'),
    el('dl', {class: 'facts'},
       el('dt', {}, 'Site name'), el('dd', {id: 'team-name'}, team ? team.siteName : '—'),
       el('dt', {}, 'Team UUID'), el('dd', {class: 'mono', id: 'team-uuid'}, team ? team.id : teamId || '—',
                                      team ? [' ', button('Copy', () => copyText(team.id), {class: 'small', 'aria-label': 'Copy the team UUID'})] : null),
       el('dt', {}, 'x-account-uuid'), el('dd', {class: 'mono'}, team ? team.accountUuid : '—'))));
  if (usage) {
    const used = usage.included ? Math.min(100, (usage.requests / usage.included) * 100) : 100;
    parts.push(el('section', {class: 'card', 'aria-labelledby': 'usage-h'},
      el('h2', {id: 'usage-h'}, `Usage in ${usage.month}`),
      el('p', {}, `${fmtNumber(usage.requests)} of ${fmtNumber(usage.included)} included requests`,
         usage.over ? ` \u00b7 ${fmtNumber(usage.over)} over, $${usage.charge}` : '',
         ` \u00b7 policy: ${usage.policy === 'block' ? 'blocked past the quota' : 'metered past the quota'}`),
      el('progress', {max: '100', value: String(used.toFixed(1)), 'aria-label': 'Share of the included requests used'},
         `${used.toFixed(1)}%`)));
  }
  parts.push(keyForm(teamList, team, error));
  const rows = keyList.map((k) => el('tr', {},
    el('td', {class: 'num'}, k.id), el('td', {class: 'mono nowrap'}, '\u2026' + k.hint),
    el('td', {}, scopesText(k.scopes)),
    el('td', {}, fmtDate(k.createdAt)), el('td', {}, k.lastUsedAt ? fmtDate(k.lastUsedAt) : 'never'),
    el('td', {}, k.expiresAt ? fmtDate(k.expiresAt) : 'never'),
    el('td', {}, k.revoked ? 'revoked' : 'live'),
    el('td', {class: 'actions'}, k.revoked ? '' : button('Revoke', async () => {
      if (!confirm(`Revoke key ${k.id} (\u2026${k.hint})? It is refused from the next request on.`)) return;
      if (await attempt(() => api('DELETE', `/api/v1/keys/${k.id}`), error) !== undefined) {
        announce(`Key ${k.id} revoked.`);
        go('/integration');
      }
    }, {class: 'small danger', 'aria-label': `Revoke key ${k.id}`}))));
  parts.push(table('API keys of the team', ['Id', 'Key', 'Scopes', 'Created', 'Last used', 'Expires', 'State', 'Actions'], rows));
  show(parts);
}

function scopesText(scopes) {
  if (!scopes) return 'all';
  const list = Object.entries(scopes).map(([endpoint, methods]) => `${endpoint}: ${methods.join(' ')}`);
  return list.length ? list.join('; ') : 'none';
}

function keyForm(teamList, team, error) {
  const teamSelect = select('teamId', teamList.map((t) => [t.id, t.siteName]), team ? team.id : '');
  const days = input('expiresInDays', {type: 'number', min: '1', max: '3650'});
  const boxes = [];
  const grid = el('table', {class: 'scopes'},
    el('caption', {}, 'Scopes: what the key may do (none checked: the scopes of your own key)'),
    el('thead', {}, el('tr', {}, el('th', {scope: 'col'}, 'Endpoint'), METHODS.map((m) => el('th', {scope: 'col'}, m)))),
    el('tbody', {}, ENDPOINTS.map((endpoint) => el('tr', {}, el('th', {scope: 'row'}, endpoint),
      METHODS.map((m) => {
        const box = el('input', {type: 'checkbox', name: `scope-${endpoint}-${m}`, 'aria-label': `${endpoint} ${m}`});
        box.dataset.endpoint = endpoint;
        box.dataset.method = m;
        boxes.push(box);
        return el('td', {}, box);
      })))));
  const form = el('form', {class: 'card', 'aria-labelledby': 'new-key-h'},
    el('h2', {id: 'new-key-h'}, 'Create a key'),
    field('Team', teamSelect), field('Expires after (days)', days, 'Empty: never'),
    el('div', {class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': 'Scopes'}, grid),
    el('button', {type: 'submit', class: 'primary'}, 'Create key'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = {};
    if (teamSelect.value) body.teamId = teamSelect.value;
    if (days.value) body.expiresInDays = Number(days.value);
    const scopes = {};
    for (const b of boxes.filter((x) => x.checked)) (scopes[b.dataset.endpoint] ||= []).push(b.dataset.method);
    if (Object.keys(scopes).length) body.scopes = scopes;
    const made = await attempt(() => api('POST', '/api/v1/keys', body), error);
    if (made) {
      fresh = made.key;
      go('/integration');
    }
  });
  return form;
}

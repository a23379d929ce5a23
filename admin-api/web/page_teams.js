// Teams, members and roles: your teams, a new one, and for the chosen team
// its members (add by email, change role, remove), rename and delete.
import {api} from './api.js';
import {el, field, input, select, button, show, errorBox, attempt, table, fmtDate, announce} from './ui.js';
import {go} from './app.js';

const ROLES = [['viewer', 'Viewer (reads)'], ['member', 'Member (writes links)'], ['admin', 'Admin (keys, members)'],
               ['owner', 'Owner (deletes the team)']];

export default async function teamsPage({params}) {
  const error = errorBox();
  const teams = await attempt(() => api('GET', '/api/v1/teams?size=100'), error);
  const items = teams ? teams.items : [];
  const chosenId = params.get('team') || (items[0] && items[0].id);
  const siteName = input('siteName', {required: true});
  const create = el('form', {class: 'inline-form', 'aria-label': 'New team'},
    field('New team\u2019s site name', siteName), el('button', {type: 'submit', class: 'primary'}, 'Create team'));
  create.addEventListener('submit', async (e) => {
    e.preventDefault();
    const team = await attempt(() => api('POST', '/api/v1/teams', {siteName: siteName.value.trim()}), error);
    if (team) go('/teams', {team: team.id});
  });
  const rows = items.map((t) => el('tr', {},
    el('td', {}, el('a', {href: `#/teams?team=${t.id}`, 'aria-current': t.id === chosenId ? 'true' : null}, t.siteName),
       t.personal ? el('span', {class: 'muted'}, ' (personal)') : null),
    el('td', {class: 'mono'}, t.id), el('td', {}, t.role), el('td', {class: 'num'}, t.memberCount),
    el('td', {}, fmtDate(t.createdAt))));
  const parts = [el('h1', {}, 'Teams'), error, create,
                 table('Your teams', ['Site name', 'Team UUID', 'Your role', 'Members', 'Created'], rows)];
  const chosen = items.find((t) => t.id === chosenId);
  if (chosen) parts.push(await teamSection(chosen, error));
  show(parts);
}

async function teamSection(team, error) {
  const full = await attempt(() => api('GET', `/api/v1/teams/${team.id}`), error);
  const members = full ? full.members : [];
  const manage = team.role === 'admin' || team.role === 'owner';
  const email = input('email', {type: 'email', required: true});
  const role = select('role', ROLES, 'member');
  const add = el('form', {class: 'inline-form', 'aria-label': `Add a member to ${team.siteName}`},
    field('Member\u2019s email', email), field('Role', role), el('button', {type: 'submit', class: 'primary'}, 'Add member'));
  add.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (await attempt(() => api('POST', `/api/v1/teams/${team.id}/members`, {email: email.value.trim(), role: role.value}), error)) {
      announce(`${email.value.trim()} added.`);
      go('/teams', {team: team.id});
    }
  });
  const rows = members.map((m) => {
    const roleSelect = select('role', ROLES, m.role);
    roleSelect.setAttribute('aria-label', `Role of ${m.email || 'user ' + m.userId}`);
    roleSelect.disabled = !manage;
    roleSelect.addEventListener('change', async () => {
      if (await attempt(() => api('PATCH', `/api/v1/teams/${team.id}/members/${m.userId}`, {role: roleSelect.value}), error))
        announce(`Role changed to ${roleSelect.value}.`);
      else roleSelect.value = m.role;
    });
    return el('tr', {}, el('td', {}, m.email || `user ${m.userId}`), el('td', {}, roleSelect),
      el('td', {class: 'actions'}, button('Remove', async () => {
        if (!confirm(`Remove ${m.email || 'user ' + m.userId} from ${team.siteName}?`)) return;
        if (await attempt(() => api('DELETE', `/api/v1/teams/${team.id}/members/${m.userId}`), error) !== undefined)
          go('/teams', {team: team.id});
      }, {class: 'small danger', disabled: manage ? null : true, 'aria-label': `Remove ${m.email || m.userId}`})));
  });
  const actions = el('div', {class: 'actions'},
    button('Rename team', async () => {
      const next = prompt('New site name', team.siteName);
      if (next && next.trim() !== team.siteName &&
          await attempt(() => api('PATCH', `/api/v1/teams/${team.id}`, {siteName: next.trim()}), error))
        go('/teams', {team: team.id});
    }, {disabled: manage ? null : true}),
    team.personal ? null : button('Delete team', async () => {
      if (!confirm(`Delete ${team.siteName}? Its keys are revoked.`)) return;
      if (await attempt(() => api('DELETE', `/api/v1/teams/${team.id}`), error) !== undefined) go('/teams');
    }, {class: 'danger', disabled: team.role === 'owner' ? null : true}));
  return el('section', {class: 'card', 'aria-labelledby': 'team-h'},
    el('h2', {id: 'team-h'}, `Members of ${team.siteName}`),
    table(`Members and roles`, ['Member', 'Role', 'Actions'], rows),
    manage ? add : el('p', {class: 'hint'}, 'Admins and owners add and change members.'), actions);
}

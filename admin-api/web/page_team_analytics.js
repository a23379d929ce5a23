// The team's most clicked links, optionally of one campaign or domain.
import {api, query} from './api.js';
import {el, field, select, show, errorBox, attempt, table, fmtNumber} from './ui.js';
import {go} from './app.js';
import {teamCampaigns, teamDomains} from './lookups.js';
import {bars} from './charts.js';

export default async function teamAnalyticsPage({params}) {
  const days = ['7', '30', '90'].includes(params.get('days')) ? params.get('days') : '30';
  const campaign = params.get('campaign') || '';
  const domain = params.get('domain') || '';
  const error = errorBox();
  const [campaigns, domains] = await Promise.all([teamCampaigns(), teamDomains()]);
  const daysSelect = select('days', [['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days']], days);
  const campaignSelect = select('campaign', [['', 'All'], ...campaigns.map((c) => [String(c.id), c.name])], campaign);
  const domainSelect = select('domain', [['', 'All domains'], ...domains.map((d) => [d.host, d.host])], domain);
  const apply = () => go('/analytics', Object.fromEntries(Object.entries({
    days: daysSelect.value, campaign: campaignSelect.value, domain: domainSelect.value}).filter(([, v]) => v)));
  for (const s of [daysSelect, campaignSelect, domainSelect]) s.addEventListener('change', apply);
  const head = [el('h1', {}, 'Team analytics'),
                el('form', {class: 'filters'}, field('Period', daysSelect), field('Campaign', campaignSelect),
                   field('Domain', domainSelect))];
  show(head, el('p', {}, 'Loading\u2026'));
  const start = new Date(Date.now() - (Number(days) - 1) * 86400e3).toISOString().slice(0, 10);
  const top = await attempt(() => api('GET', '/api/v1/analytics/top-links' + query({
    startTime: start, limit: 20, campaignId: campaign, domain})), error);
  if (!top) {
    show(head, error);
    return;
  }
  const label = (l) => (l.domain || '') + '/' + l.shortUrl;
  show(head, error,
       el('section', {class: 'card', 'aria-labelledby': 'top-h'},
          el('h2', {id: 'top-h'}, 'Most clicked links'),
          bars('Most clicked links', top.links.map((l) => ({value: label(l), clicks: l.clicks})))),
       table('Most clicked links with their targets', ['Link', 'Target', 'Clicks'], top.links.map((l) =>
         el('tr', {},
            el('td', {}, el('a', {href: `#/links/${l.shortUrl}/analytics${l.domain ? '?domain=' + encodeURIComponent(l.domain) : ''}`}, label(l))),
            el('td', {class: 'url'}, l.longUrl), el('td', {class: 'num'}, fmtNumber(l.clicks))))));
}

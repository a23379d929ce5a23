// One link's analytics: clicks over time (people and bots apart), the top
// values of each dimension as bars, and the weekday x hour heatmap in the
// browser's time zone. Two requests: the analytics and the heatmap.
import {api, query} from './api.js';
import {el, field, select, show, errorBox, attempt, fmtNumber} from './ui.js';
import {go} from './app.js';
import {lineChart, bars, heatmap} from './charts.js';

const RANGES = {
  '24h': {label: 'Last 24 hours', interval: 'hour', hours: 24},
  '7d': {label: 'Last 7 days', interval: 'day', days: 7},
  '30d': {label: 'Last 30 days', interval: 'day', days: 30},
  '12m': {label: 'Last 12 months', interval: 'month', days: 365},
};
const DIMENSIONS = [['device', 'Devices'], ['os', 'Operating systems'], ['browser', 'Browsers'],
                    ['country', 'Countries'], ['city', 'Cities'], ['referrer', 'Referrers'],
                    ['source', 'Sources'], ['language', 'Languages'], ['brand', 'Device brands']];

function startOf(range) {
  const ms = range.hours ? range.hours * 3600e3 : (range.days - 1) * 86400e3;
  return new Date(Date.now() - ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export default async function linkAnalyticsPage({code, params}) {
  const domain = params.get('domain') || '';
  const rangeKey = RANGES[params.get('range')] ? params.get('range') : '30d';
  const range = RANGES[rangeKey];
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const error = errorBox();
  const rangeSelect = select('range', Object.entries(RANGES).map(([k, r]) => [k, r.label]), rangeKey);
  rangeSelect.addEventListener('change', () => go(`/links/${code}/analytics`,
                                                  Object.fromEntries(Object.entries({domain, range: rangeSelect.value}).filter(([, v]) => v))));
  const title = el('h1', {}, `Analytics of ${domain}/${code}`);
  const head = [title, el('p', {}, el('a', {href: '#/links'}, '\u2190 All links'), ' \u00b7 ',
                          el('a', {href: `#/links/${code}/edit${domain ? '?domain=' + encodeURIComponent(domain) : ''}`}, 'Edit this link')),
                el('form', {class: 'filters'}, field('Period', rangeSelect))];
  show(head, el('p', {}, 'Loading\u2026'));

  const path = `/api/v1/urls/${encodeURIComponent(code)}/analytics`;
  const startTime = startOf(range);
  const [data, heat] = await Promise.all([
    attempt(() => api('GET', path + query({domain, timezone, startTime, interval: range.interval, top: 10})), error),
    attempt(() => api('GET', path + '/heatmap' + query({domain, timezone, startTime})), error),
  ]);
  if (!data) {
    show(head, error);
    return;
  }
  const points = data.series.map((p) => ({label: p.time.replace(/^\d{4}-/, '').replace('T', ' '), clicks: p.clicks, bots: p.bots}));
  const totals = el('dl', {class: 'totals'},
    el('div', {}, el('dt', {}, 'Clicks'), el('dd', {id: 'total-clicks'}, fmtNumber(data.totals.clicks))),
    el('div', {}, el('dt', {}, 'Unique visitors'), el('dd', {}, fmtNumber(data.totals.unique))),
    el('div', {}, el('dt', {}, 'Bot visits (apart)'), el('dd', {}, fmtNumber(data.totals.bots))));
  const dims = DIMENSIONS.filter(([k]) => data.top[k]).map(([k, label]) =>
    el('section', {class: 'card dim', 'aria-labelledby': `dim-${k}`},
       el('h3', {id: `dim-${k}`}, label), bars(label, data.top[k])));
  show(head, error, totals,
       el('section', {class: 'card', 'aria-labelledby': 'over-time'},
          el('h2', {id: 'over-time'}, `Clicks over time (${timezone})`),
          el('p', {class: 'legend'}, el('span', {class: 'key humans'}, 'People'), ' ', el('span', {class: 'key bots'}, 'Bots')),
          lineChart(points, 'Clicks over time')),
       el('h2', {}, 'Where the clicks came from'),
       el('div', {class: 'grid'}, dims),
       el('section', {class: 'card', 'aria-labelledby': 'bots-h'},
          el('h2', {id: 'bots-h'}, 'Bots, counted apart'), bars('Bots', data.bots || [])),
       heat ? el('section', {class: 'card', 'aria-labelledby': 'heat-h'},
                 el('h2', {id: 'heat-h'}, 'Clicks by weekday and hour'),
                 el('div', {class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': 'Heatmap'},
                    heatmap(heat.weekdays, heat.heatmap))) : null);
}

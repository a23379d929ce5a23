// Charts drawn as SVG with the DOM (no library): a line chart of clicks over
// time, horizontal bars of a dimension's top values, and a weekday x hour
// heatmap. Colours come from style.css classes (the CSP allows no inline
// style); sizes are in the SVG's own units and the SVG scales to its box.
// Each chart is an image with a text alternative (role="img", aria-label);
// the bars are plain HTML with the numbers in them.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// A round upper bound for an axis: 1, 2, 5 x 10^n.
function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

// points: [{label, clicks, bots}]; humans as a line over an area, bots as a
// dashed line apart.
export function lineChart(points, title) {
  // As wide as the page has room for (at most 720), so the axis text is
  // drawn near its real size on a phone instead of scaled down.
  const room = (document.getElementById('main') || {}).clientWidth || 720;
  const width = Math.round(Math.max(300, Math.min(720, room - 40)));
  const height = 240;
  const pad = {left: 44, right: 12, top: 12, bottom: 28};
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  // At least 4, so the gridlines at 0, half and max are whole numbers.
  const max = Math.max(4, niceMax(Math.max(0, ...points.map((p) => Math.max(p.clicks, p.bots || 0)))));
  const x = (i) => pad.left + (points.length <= 1 ? innerW / 2 : (i * innerW) / (points.length - 1));
  const y = (v) => pad.top + innerH - (v / max) * innerH;
  const total = points.reduce((s, p) => s + p.clicks, 0);
  const bots = points.reduce((s, p) => s + (p.bots || 0), 0);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart line-chart',
    role: 'img',
    'aria-label': `${title}: ${total} clicks by people and ${bots} by bots over ${points.length} periods`,
  });
  for (const f of [0, 0.5, 1]) {
    chart.append(svg('line', {x1: pad.left, x2: width - pad.right, y1: y(max * f), y2: y(max * f), class: 'grid'}));
    chart.append(svg('text', {x: pad.left - 6, y: y(max * f) + 4, class: 'axis', 'text-anchor': 'end'},
                     Math.round(max * f)));
  }
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  points.forEach((p, i) => {
    if (i % labelEvery === 0)
      chart.append(svg('text', {x: x(i), y: height - 8, class: 'axis', 'text-anchor': 'middle'}, p.label));
  });
  if (points.length) {
    const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.clicks).toFixed(1)}`).join(' ');
    const area = `${x(0).toFixed(1)},${y(0)} ${line} ${x(points.length - 1).toFixed(1)},${y(0)}`;
    chart.append(svg('polygon', {points: area, class: 'area'}));
    chart.append(svg('polyline', {points: line, class: 'humans'}));
    if (bots) {
      const botLine = points.map((p, i) => `${x(i).toFixed(1)},${y(p.bots || 0).toFixed(1)}`).join(' ');
      chart.append(svg('polyline', {points: botLine, class: 'bots'}));
    }
    points.forEach((p, i) => {
      if (p.clicks) {
        const dot = svg('circle', {cx: x(i), cy: y(p.clicks), r: 3, class: 'dot'});
        dot.append(svg('title', {}, `${p.label}: ${p.clicks} clicks`));
        chart.append(dot);
      }
    });
  }
  return chart;
}

// items: [{value, clicks}] as labelled bars (HTML: wraps and reads well on
// a phone; the bar's length is an SVG rectangle).
export function bars(title, items) {
  const max = Math.max(1, ...items.map((i) => i.clicks));
  const list = document.createElement('ol');
  list.className = 'bars';
  list.setAttribute('aria-label', title);
  for (const item of items) {
    const li = document.createElement('li');
    const label = document.createElement('span');
    label.className = 'bar-label';
    label.textContent = item.value === '' ? '(none)' : item.value;
    const count = document.createElement('span');
    count.className = 'bar-count';
    count.textContent = String(item.clicks);
    const bar = svg('svg', {viewBox: '0 0 100 6', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true'},
                    svg('rect', {x: 0, y: 0, height: 6, width: Math.max(0.5, (item.clicks / max) * 100)}));
    li.append(label, count, bar);
    list.append(li);
  }
  if (!items.length) {
    const li = document.createElement('li');
    li.textContent = 'No clicks yet.';
    list.append(li);
  }
  return list;
}

// rows: 7 arrays of 24 counts (Monday first), as squares shaded by count.
export function heatmap(weekdays, rows) {
  const cell = 22;
  const left = 40;
  const top = 18;
  const width = left + 24 * cell + 4;
  const height = top + 7 * cell + 4;
  const max = Math.max(1, ...rows.flat());
  const total = rows.flat().reduce((a, b) => a + b, 0);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart heatmap',
    role: 'img',
    'aria-label': `Clicks by weekday and hour: ${total} in all`,
  });
  for (let h = 0; h < 24; h += 3)
    chart.append(svg('text', {x: left + h * cell + cell / 2, y: 12, class: 'axis', 'text-anchor': 'middle'}, h));
  rows.forEach((row, d) => {
    chart.append(svg('text', {x: left - 6, y: top + d * cell + 15, class: 'axis', 'text-anchor': 'end'},
                     (weekdays[d] || '').slice(0, 3)));
    row.forEach((count, h) => {
      // Five shades, from none to the busiest hour.
      const level = count === 0 ? 0 : 1 + Math.min(3, Math.floor((count / max) * 4));
      const rect = svg('rect', {x: left + h * cell, y: top + d * cell, width: cell - 2, height: cell - 2,
                                rx: 3, class: `heat heat-${level}`});
      rect.append(svg('title', {}, `${weekdays[d]} ${h}:00: ${count} clicks`));
      chart.append(rect);
    });
  });
  return chart;
}

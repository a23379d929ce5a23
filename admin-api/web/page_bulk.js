// Bulk upload: a CSV file of links, sent to POST /api/v1/urls/bulk in
// batches of 100 rows, with a progress bar and each refused row listed.
// Columns by header: longUrl (required), shortUrl, title, tags (separated by
// ';'), domain, campaignId; without a header row: longUrl, shortUrl.
import {api} from './api.js';
import {el, field, show, errorBox, attempt, table, fmtNumber, announce} from './ui.js';
import {parseCsv} from './csv.js';

const BATCH = 100;
const COLUMNS = ['longUrl', 'shortUrl', 'title', 'tags', 'domain', 'campaignId'];

function toRows(records) {
  const first = records[0] || [];
  const hasHeader = first.some((h) => COLUMNS.includes(h.trim()));
  const header = hasHeader ? first.map((h) => h.trim()) : ['longUrl', 'shortUrl'];
  return (hasHeader ? records.slice(1) : records).map((record) => {
    const row = {};
    header.forEach((name, i) => {
      const value = (record[i] || '').trim();
      if (!value || !COLUMNS.includes(name)) return;
      if (name === 'tags') row.tags = value.split(';').map((t) => t.trim()).filter(Boolean);
      else if (name === 'campaignId') row.campaignId = Number(value);
      else row[name] = value;
    });
    return row;
  });
}

export default function bulkPage() {
  const error = errorBox();
  const file = el('input', {type: 'file', name: 'csv', accept: '.csv,text/csv', required: true});
  const progress = el('progress', {max: '100', value: '0', id: 'bulk-progress', 'aria-label': 'Upload progress'});
  const progressText = el('p', {role: 'status', 'aria-live': 'polite'});
  const results = el('div');
  const form = el('form', {class: 'card'},
    el('p', {}, 'One link per row. With a header row the columns are named: ',
       el('code', {}, COLUMNS.join(', ')), ' (tags separated by semicolons); without one: ',
       el('code', {}, 'longUrl, shortUrl'), '.'),
    field('CSV file', file), el('button', {type: 'submit', class: 'primary'}, 'Upload'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!file.files.length) {
      error.set('Choose a CSV file first.');
      return;
    }
    const rows = toRows(parseCsv(await file.files[0].text()));
    if (!rows.length) {
      error.set('The file has no rows.');
      return;
    }
    error.set('');
    let created = 0;
    const failed = [];
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = rows.slice(start, start + BATCH);
      const answer = await attempt(() => api('POST', '/api/v1/urls/bulk', {urls: batch}), error);
      if (!answer) break;
      created += answer.created;
      for (const r of answer.results)
        if (r.status !== 200) failed.push({row: start + r.index + 1, input: batch[r.index], message: r.message});
      const done = Math.min(rows.length, start + BATCH);
      progress.value = String((done / rows.length) * 100);
      progressText.textContent = `${fmtNumber(done)} of ${fmtNumber(rows.length)} rows sent: ` +
                                 `${fmtNumber(created)} created, ${fmtNumber(failed.length)} refused.`;
    }
    announce(`${fmtNumber(created)} links created.`);
    results.replaceChildren(table('Refused rows', ['Row', 'Target', 'Code', 'Why'], failed.map((f) =>
      el('tr', {}, el('td', {class: 'num'}, f.row), el('td', {class: 'url'}, f.input.longUrl || ''),
         el('td', {}, f.input.shortUrl || ''), el('td', {}, f.message || '')))));
  });
  show(el('h1', {}, 'Bulk upload'), form, error, progress, progressText, results);
}

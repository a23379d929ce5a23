// Small DOM helpers shared by the pages. Everything is built with
// createElement and textContent: no innerHTML of anything the API returns,
// so a link's title or a tag can never become markup.

// el('p', {class: 'x', onclick: f}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (k === 'class') node.className = v;
    else if (k === 'value') node.value = v;
    else if (k === 'checked') node.checked = !!v;
    else node.setAttribute(k, v === true ? '' : v);
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

let idCounter = 0;
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// A labelled form control: <div class="field"><label for>...</label><input id></div>.
// `hint` becomes the input's description (aria-describedby).
export function field(label, control, hint) {
  if (!control.id) control.id = uid('f');
  const parts = [el('label', {for: control.id}, label), control];
  if (hint) {
    const hintId = control.id + '-hint';
    control.setAttribute('aria-describedby', hintId);
    parts.push(el('small', {id: hintId, class: 'hint'}, hint));
  }
  return el('div', {class: control.type === 'checkbox' ? 'field check' : 'field'}, parts);
}

export function input(name, attrs = {}) {
  return el('input', {name, type: 'text', ...attrs});
}

export function select(name, options, value) {
  return el('select', {name},
            options.map(([v, text]) => el('option', {value: v, selected: v === value ? true : null}, text)));
}

export function button(text, onclick, attrs = {}) {
  return el('button', {type: 'button', onclick, ...attrs}, text);
}

// Replaces the page's main content and focuses its heading, so a keyboard
// or screen reader user hears where they are after each navigation (and
// after a page's data arrives, which replaces the heading focused before).
// Not on the first page shown: focus then starts at the top, skip link first.
let shownPages = 0;
export function show(...children) {
  const main = document.getElementById('main');
  main.replaceChildren(...children.flat());
  const heading = main.querySelector('h1');
  if (!heading) return;
  heading.tabIndex = -1;
  if (shownPages++ > 0) heading.focus();
}

// A message in the polite live region (and visibly, for a while).
let statusTimer = null;
export function announce(text, kind = 'info') {
  const region = document.getElementById('status');
  region.className = 'status ' + kind;
  region.textContent = text;
  clearTimeout(statusTimer);
  statusTimer = setTimeout(() => {
    region.textContent = '';
    region.className = 'status';
  }, 6000);
}

// An error box near a form, with role=alert (read at once).
export function errorBox() {
  const box = el('p', {class: 'error', role: 'alert', hidden: true});
  box.set = (message) => {
    box.textContent = message || '';
    box.hidden = !message;
  };
  return box;
}

// Runs `work`, showing its ApiError in `box` (or the status region).
export async function attempt(work, box) {
  try {
    if (box) box.set('');
    return await work();
  } catch (e) {
    if (box) box.set(e.message);
    else announce(e.message, 'error');
    return undefined;
  }
}

export function table(caption, headers, rows) {
  // Each cell carries its column's name, shown before it on a phone (style.css).
  for (const row of rows)
    [...row.children].forEach((cell, i) => headers[i] && cell.setAttribute('data-label', headers[i]));
  return el('div', {class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0'},
            el('table', {},
               el('caption', {}, caption),
               el('thead', {}, el('tr', {}, headers.map((h) => el('th', {scope: 'col'}, h)))),
               el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', {colspan: headers.length}, 'None yet.')))));
}

export function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}

export function fmtNumber(n) {
  return Number(n || 0).toLocaleString();
}

// Saves a Blob as a file through a temporary object URL.
export function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el('a', {href: url, download: filename});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    announce('Copied to the clipboard.');
  } catch {
    announce('The browser refused the clipboard: select the text and copy it.', 'error');
  }
}

// Opens the edge's pages in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core; nothing is downloaded) in a phone and a desktop
// viewport, checks what issue 17 asks of each page, runs axe-core on it and
// saves a screenshot.
//
//   node check_pages.mjs PLAN.json
//
// PLAN (written by test_browser_pages.py, which starts the servers):
//   {"outDir": "...", "profileDir": "...", "pages": [
//     {"name": "not-found", "url": "http://127.0.0.1:P/x", "status": 404, "marker": "optional text"},
//     {"name": "password", "kind": "password", "url": "...", "wrong": "...", "right": "...", "target": "https://t.invalid/..."}]}
// A "password" entry is a flow: the form (200), a wrong password typed and
// submitted (401), the right one (the browser is sent on to the target), then
// wrong ones until 429; each page on the way is checked.
//
// Prints one line per check that fails, every axe-core violation, and the
// screenshots' paths. Exit status: 0 all passed, 1 a check failed, 2 error
// or deadline.
import path from 'node:path';

import { CHROMIUM, CheckRun, axeSource, chromium } from './check_run.mjs';

const VIEWPORTS = [
  // A phone: mobile layout (the viewport meta tag is honoured), touch, 2x pixels.
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
    forwardedFor: '198.51.100.11' },
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1,
    forwardedFor: '198.51.100.12' },
];
const MIN_TEXT_PX = 12;  // smallest text on screen (CSS px times the page's zoom)

const checks = new CheckRun(150000);
const { plan, fail, check, screenshots } = checks;

// Every request a page makes is recorded; the only URL a page may load is
// its own (the page itself, the form posting back to it).
function recordRequests(page) {
  const log = { requests: [] };
  page.on('request', (r) => log.requests.push(`${r.method()} ${r.url()}`));
  return log;
}

async function checkPage(page, vp, name, response, expected, log, pageUrl) {
  const where = `${vp.name}/${name}`;
  const status = response ? response.status() : 0;
  check(where, status === expected.status, `status ${status}, expected ${expected.status}`);
  const type = response ? (response.headers()['content-type'] || '') : '';
  check(where, type.startsWith('text/html'), `Content-Type is "${type}", expected text/html`);

  const facts = await page.evaluate(() => {
    const de = document.documentElement;
    const viewport = document.querySelector('meta[name="viewport" i]');
    const unlabelled = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
      const byLabel = [...(el.labels || [])].map((l) => l.textContent.trim()).join(' ');
      const byAria = (el.getAttribute('aria-label') || '').trim() ||
        (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
          .map((id) => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
      if (!byLabel && !byAria) unlabelled.push(el.outerHTML.slice(0, 120));
    }
    // The smallest text a person sees: computed size times the page's zoom
    // (a phone shows a page without a viewport tag at about 0.4x).
    const scale = window.visualViewport ? window.visualViewport.scale : 1;
    let smallest = Infinity;
    let smallestText = '';
    const walker = document.createTreeWalker(document.body || de, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim() || !n.parentElement) continue;
      const size = parseFloat(getComputedStyle(n.parentElement).fontSize) * scale;
      if (size < smallest) { smallest = size; smallestText = n.textContent.trim().slice(0, 40); }
    }
    return {
      lang: de.getAttribute('lang') || '',
      viewport: viewport ? viewport.getAttribute('content') || '' : null,
      title: document.title.trim(),
      scripts: document.scripts.length,
      unlabelled,
      scrollWidth: de.scrollWidth,
      smallest, smallestText,
      text: document.body ? document.body.innerText : '',
      alerts: [...document.querySelectorAll('[role="alert"], [aria-live]')].map((e) => e.textContent.trim()),
    };
  });
  check(where, facts.lang !== '', '<html> has no lang attribute');
  check(where, facts.viewport !== null && /width\s*=\s*device-width/.test(facts.viewport),
        `no <meta name="viewport" content="width=device-width..."> (found ${JSON.stringify(facts.viewport)})`);
  check(where, facts.title !== '', 'no <title> (or it is empty)');
  const scripts = expected.scripts || 0;  // the tracker page's loader is its one
  check(where, facts.scripts === scripts, `${facts.scripts} <script> element(s), expected ${scripts}`);
  check(where, facts.unlabelled.length === 0, `input(s) without an accessible label: ${facts.unlabelled.join(' | ')}`);
  check(where, facts.scrollWidth <= vp.viewport.width,
        `scrolls sideways: document is ${facts.scrollWidth} px wide in a ${vp.viewport.width} px viewport`);
  check(where, facts.smallest >= MIN_TEXT_PX,
        `text ${facts.smallest.toFixed(1)} px on screen ("${facts.smallestText}"), at least ${MIN_TEXT_PX} px wanted`);
  if (expected.marker) {
    check(where, facts.text.includes(expected.marker), `the page does not show "${expected.marker}"`);
  }
  if (expected.alert) {
    check(where, facts.alerts.some((a) => a.length > 0), 'no role="alert" (or aria-live) message');
  }
  const own = [pageUrl, ...(expected.alsoLoads || [])];
  const foreign = log.requests.filter((r) => !own.includes(r.slice(r.indexOf(' ') + 1)));
  check(where, foreign.length === 0, `requests other than the page itself: ${foreign.join(', ')}`);

  // axe-core: put into every page by the context's init script, which neither
  // adds a <script> element nor is subject to the page's Content-Security-Policy.
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  for (const v of axe) {
    console.log(`  axe ${where} [${v.impact}] ${v.id}: ${v.help} (${v.nodes.join(', ')})`);
  }
  const serious = axe.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(where, serious.length === 0, `axe-core serious/critical violations: ${serious.map((v) => v.id).join(', ')}`);

  const file = path.join(plan.outDir, `${name}-${vp.name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
}

async function visit(page, vp, entry) {
  const log = recordRequests(page);
  const response = await page.goto(entry.url, { waitUntil: 'load' });
  await checkPage(page, vp, entry.name, response, entry, log, entry.url);
}

// Types `password` into the form's password field and submits it with the
// form's button, as a person would; returns the answer to the POST.
async function submit(page, entry, password, log) {
  log.requests.length = 0;
  await page.locator('form input[type="password"]').first().fill(password);
  const button = page.locator('form button, form input[type="submit"]').first();
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForLoadState('load');
  return response;
}

async function passwordFlow(page, vp, entry) {
  const where = `${vp.name}/${entry.name}`;
  const log = recordRequests(page);
  let response = await page.goto(entry.url, { waitUntil: 'load' });
  await checkPage(page, vp, `${entry.name}-form`, response, { status: 200, marker: entry.marker }, log, entry.url);

  response = await submit(page, entry, entry.wrong, log);
  await checkPage(page, vp, `${entry.name}-wrong`, response, { status: 401, alert: true, marker: entry.marker }, log, entry.url);

  // The right password: the browser follows the 303 to the target. Its host
  // does not resolve (and the browser resolves nothing but loopback), so the
  // navigation is seen in the request events and fails there: no network.
  const toTarget = [];
  const consoleLines = [];  // e.g. a Content-Security-Policy (form-action) refusing the redirect
  const onRequest = (r) => { if (r.url() === entry.target) toTarget.push(r); };
  const onConsole = (m) => consoleLines.push(m.text().trim());
  page.on('request', onRequest);
  page.on('console', onConsole);
  await page.locator('form input[type="password"]').first().fill(entry.right);
  const failed = page.waitForEvent('requestfailed', { predicate: (r) => r.url() === entry.target, timeout: 5000 })
    .catch(() => null);
  const errorPage = page.waitForEvent('framenavigated', {
    predicate: (f) => f === page.mainFrame() && f.url().startsWith('chrome-error:'), timeout: 5000 }).catch(() => null);
  await page.locator('form button, form input[type="submit"]').first().click();
  const failure = await failed;
  await errorPage;  // Chromium's own error page, committed after the failure
  page.off('request', onRequest);
  page.off('console', onConsole);
  // (Chromium may ask again for a page that failed to load: the first request is the one checked.)
  if (check(where, toTarget.length >= 1, `right password: the browser never requested ${entry.target}${consoleLines.length ? `; the browser said: ${consoleLines.join(' | ')}` : ''}`)) {
    const req = toTarget[0];
    const from = req.redirectedFrom();
    const answer = from && await from.response();
    check(where, req.isNavigationRequest() && req.frame() === page.mainFrame(), 'right password: the target was not a navigation of the page');
    check(where, from && from.method() === 'POST' && from.url() === entry.url && answer && answer.status() === 303,
          `right password: the target was not reached by a 303 to the form's POST (${from ? `${from.method()} ${from.url()} -> ${answer && answer.status()}` : 'no redirect'})`);
    check(where, failure && /NAME_NOT_RESOLVED/.test((failure.failure() || {}).errorText || ''),
          `right password: the target's host was expected not to resolve (${failure ? (failure.failure() || {}).errorText : 'no failure seen'})`);
  }

  // Wrong passwords until the guess limit answers 429.
  response = await page.goto(entry.url, { waitUntil: 'load' });
  for (let i = 0; i < 10 && response.status() !== 429; i++) {
    response = await submit(page, entry, `${entry.wrong}-${i}`, log);
  }
  await checkPage(page, vp, `${entry.name}-throttled`, response, { status: 429, alert: true, marker: entry.marker }, log, entry.url);
}

// A link with trackers whose team asks for consent (issue 21): the page,
// loading nothing but its own loader before the visitor agrees; then
// "Allow and continue" loads the pixels (their hosts do not resolve here,
// but the requests are seen) and goes on to the target, with no
// Content-Security-Policy refusal on the way.
async function trackerFlow(page, vp, entry) {
  const where = `${vp.name}/${entry.name}`;
  const log = recordRequests(page);
  const consoleLines = [];
  const onConsole = (m) => consoleLines.push(m.text().trim());
  page.on('console', onConsole);
  try {
    const response = await page.goto(entry.url, { waitUntil: 'load' });
    await checkPage(page, vp, entry.name, response,
                    { status: 200, scripts: 1, alsoLoads: [`${entry.url}?sl-trackers.js`] }, log, entry.url);
    const allow = page.locator('#sl-allow');
    if (!check(where, await allow.isVisible(), 'the opt-in button is not shown')) return;
    log.requests.length = 0;
    const toTarget = page.waitForRequest((r) => r.url() === entry.target, { timeout: 5000 }).catch(() => null);
    const errorPage = page.waitForEvent('framenavigated', {
      predicate: (f) => f === page.mainFrame() && f.url().startsWith('chrome-error:'), timeout: 5000 }).catch(() => null);
    await allow.click();
    const nav = await toTarget;
    await errorPage;  // the target fails to resolve: Chromium's error page commits, then the next entry
    check(where, nav && nav.isNavigationRequest(), `after opting in, the browser did not go on to ${entry.target}`);
    for (const host of entry.pixelHosts) {
      check(where, log.requests.some((r) => r.includes(`//${host}/`)),
            `after opting in, nothing requested from ${host} (${log.requests.join(', ')})`);
    }
    const refused = consoleLines.filter((l) => /Content Security Policy/i.test(l));
    check(where, refused.length === 0, `the page's own policy refused: ${refused.join(' | ')}`);
  } finally {
    page.off('console', onConsole);
  }
}

async function main() {
  for (const vp of VIEWPORTS) {
    // A fresh profile per viewport, in the caller's temp dir.
    const context = await chromium.launchPersistentContext(path.join(plan.profileDir, vp.name), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync',
             // No name resolves but loopback: nothing a page does can reach the network.
             '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
      viewport: vp.viewport, isMobile: vp.isMobile, hasTouch: vp.hasTouch, deviceScaleFactor: vp.deviceScaleFactor,
      // The pages' own Content-Security-Policy stays in force (no bypassCSP): a person's browser obeys it.
      // The edge limits password guesses per client address; the edge under test takes the
      // address from this header, so each viewport is a visitor of its own.
      extraHTTPHeaders: { 'X-Forwarded-For': vp.forwardedFor },
      timeout: 30000,
    });
    try {
      context.setDefaultTimeout(10000);
      await context.addInitScript({ content: axeSource });
      const page = context.pages()[0] || await context.newPage();
      for (const entry of plan.pages) {
        try {
          if (entry.kind === 'password') await passwordFlow(page, vp, entry);
          else if (entry.kind === 'trackers') await trackerFlow(page, vp, entry);
          else await visit(page, vp, entry);
        } catch (e) {
          fail(`${vp.name}/${entry.name}`, `error: ${e.message.split('\n')[0]}`);
          await page.goto('about:blank').catch(() => {});  // the next entry starts on a quiet page
        }
      }
    } finally {
      await context.close();
    }
  }
}

checks.finish(main);

// The web dashboard (admin-api/web/, served at /dashboard) used as a person
// would, in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core; nothing downloaded), in a desktop and a phone viewport.
//
//   node dashboard.mjs PLAN.json
//
// PLAN (written by test_dashboard.py, which starts admin-api, Redis and a
// redirector and seeds a few links):
//   {"outDir", "profileDir", "base": "https://127.0.0.1:P", "username", "key",
//    "edge": "http://127.0.0.1:Q", "code": "a code to create", "qrFile": "where to save its QR PNG"}
//
// Desktop: log in with username + key, create a link with rules through the
// form (and a second with a password and an A/B test), follow the first at
// the edge in the browser (the target's host does not resolve: the request
// to it is what is checked, UTM included), see the click in the link's
// chart, open its QR code and download the PNG (test_dashboard.py decodes
// it), create a scoped key, use it, revoke it, see it refused. Phone: log in
// with the key alone. Every page in both: axe-core (no serious or critical
// violation), labels on every input, no sideways scrolling, no CSP report or
// script error, nothing in localStorage, sessionStorage or cookies, a
// screenshot in outDir.
//
// Exit status: 0 all passed, 1 a check failed, 2 error or deadline.
import path from 'node:path';

import { CHROMIUM, CheckRun, axeSource, chromium } from './check_run.mjs';

// A person's browser: HeadlessChrome in the User-Agent would be counted as a bot.
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const VIEWPORTS = [
  { name: 'desktop', viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false, deviceScaleFactor: 1 },
  { name: 'phone', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
];
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const checks = new CheckRun(200000);
const { plan, fail, check, screenshots } = checks;

// Navigates inside the app (a hash route: the page, and with it the
// session held in memory, stays) and waits for the page's <h1>.
async function open(page, route, heading) {
  await page.evaluate((r) => { location.hash = r; }, route);
  await page.locator('main h1', { hasText: heading }).waitFor();
  await page.waitForFunction(() => !document.querySelector('main').textContent.includes('Loading\u2026'));
}

// What every page must be: checked, then photographed.
async function checkPage(page, vp, name, problems) {
  const where = `${vp.name}/${name}`;
  const facts = await page.evaluate(() => {
    const unlabelled = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
      const byLabel = [...(el.labels || [])].map((l) => l.textContent.trim()).join(' ');
      const byAria = (el.getAttribute('aria-label') || '').trim();
      if (!byLabel && !byAria) unlabelled.push(el.outerHTML.slice(0, 120));
    }
    return {
      unlabelled,
      scrollWidth: document.documentElement.scrollWidth,
      storage: localStorage.length + sessionStorage.length,
      cookie: document.cookie,
      h1: (document.querySelector('main h1') || {}).textContent || '',
    };
  });
  check(where, facts.h1 !== '', 'no <h1> in <main>');
  check(where, facts.unlabelled.length === 0, `input(s) without a label: ${facts.unlabelled.join(' | ')}`);
  check(where, facts.scrollWidth <= vp.viewport.width,
        `scrolls sideways: ${facts.scrollWidth} px in a ${vp.viewport.width} px viewport`);
  check(where, facts.storage === 0 && facts.cookie === '', 'something was kept in storage or a cookie');
  check(where, problems.length === 0, `console errors: ${problems.join(' | ')}`);
  problems.length = 0;
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
  for (const v of axe) console.log(`  axe ${where} [${v.impact}] ${v.id}: ${v.help} (${v.nodes.slice(0, 5).join(', ')})`);
  const serious = axe.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(where, serious.length === 0, `axe-core serious/critical violations: ${serious.map((v) => v.id).join(', ')}`);
  // A toast of the step before ("Key 2 revoked.") would cover the page in the picture.
  await page.evaluate(() => { document.getElementById('status').textContent = ''; });
  const file = path.join(plan.outDir, `dashboard-${name}-${vp.name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  screenshots.push(file);
}

async function login(page, vp, problems) {
  const response = await page.goto(`${plan.base}/dashboard`, { waitUntil: 'load' });
  const headers = response.headers();
  check(`${vp.name}/login`, response.status() === 200, `GET /dashboard: ${response.status()}`);
  check(`${vp.name}/login`, headers['content-security-policy'] === CSP, `CSP is ${headers['content-security-policy']}`);
  check(`${vp.name}/login`, headers['x-content-type-options'] === 'nosniff', 'no nosniff');
  await page.locator('main h1', { hasText: 'Log in' }).waitFor();
  await checkPage(page, vp, 'login', problems);
  if (vp.name === 'desktop') {
    // A wrong key first: the error is shown, the page stays.
    await page.getByLabel('Username', { exact: true }).fill(plan.username);
    await page.getByLabel('API key', { exact: true }).first().fill('live_v1_wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('[role="alert"]:not([hidden])').waitFor();
    problems.length = 0;  // the browser logs the 401 asked for
    await page.getByLabel('API key', { exact: true }).first().fill(plan.key);
    await page.getByRole('button', { name: 'Log in' }).click();
  } else {
    // Keyboard alone: the first Tab reaches the skip link, which moves focus
    // to <main>; the key typed into its field and Enter submit the form.
    await page.keyboard.press('Tab');
    check(`${vp.name}/login`, await page.evaluate(() => document.activeElement.className === 'skip'),
          'the first Tab does not reach the skip link');
    await page.keyboard.press('Enter');
    check(`${vp.name}/login`, await page.evaluate(() => document.activeElement.id === 'main'),
          'the skip link does not move focus to <main>');
    await page.locator('#login-key-h ~ .field input').focus();
    await page.keyboard.type(plan.key);
    await page.keyboard.press('Enter');
  }
  await page.locator('main h1', { hasText: 'Links' }).waitFor();
  await page.waitForFunction(() => !document.querySelector('main').textContent.includes('Loading\u2026'));
}

async function createLinks(page, vp, problems) {
  const where = `${vp.name}/link-form`;
  await open(page, '/links/new', 'New link');
  await checkPage(page, vp, 'link-new', problems);
  const form = page.locator('form.link-form');
  await form.getByLabel('Target URL').fill(`https://landing.example.com/${plan.code}`);
  await form.getByLabel('Short code').fill(plan.code);
  await form.getByLabel('Title').fill('Winter sale landing page');
  await form.getByLabel('Tags').fill('winter, newsletter');
  await form.getByLabel('Expires at').fill('2031-01-31T12:00');
  await form.getByLabel('Click limit').fill('1000');
  await form.getByLabel('utm_source').fill('newsletter');
  await form.getByLabel('utm_campaign').fill('winter');
  await form.getByLabel('iOS').fill('https://apps.example.com/ios');
  await form.getByLabel('Forward the visitor\u2019s query string').check();
  await form.getByLabel('Redirect type').selectOption('302');
  await form.getByRole('button', { name: 'Create link' }).click();
  await page.locator('main h1', { hasText: 'Links' }).waitFor();
  await page.locator('td a.code', { hasText: `/${plan.code}` }).first().waitFor();

  // The second: a password and an A/B test of two targets.
  await open(page, '/links/new', 'New link');
  await form.getByLabel('Target URL').fill('https://landing.example.com/locked');
  await form.getByLabel('Short code').fill(`${plan.code}-ab`);
  await form.getByLabel('Password').fill('open sesame');
  await form.getByRole('button', { name: 'Add a target' }).click();
  await form.getByRole('button', { name: 'Add a target' }).click();
  await form.getByLabel('Target 1 URL').fill('https://a.example.com/');
  await form.getByLabel('Target 1 percentage').fill('50');
  await form.getByLabel('Target 2 URL').fill('https://b.example.com/');
  await form.getByLabel('Target 2 percentage').fill('40');
  await form.getByRole('button', { name: 'Create link' }).click();
  // 40 + 50 is refused by the API, shown next to the form.
  const alert = page.locator('form.link-form [role="alert"]:not([hidden])');
  await alert.waitFor();
  check(where, /100/.test(await alert.textContent()), `A/B error: ${await alert.textContent()}`);
  problems.length = 0;  // the 400 is logged by the browser; it was expected
  await form.getByLabel('Target 2 percentage').fill('50');
  await form.getByRole('button', { name: 'Create link' }).click();
  await page.locator('main h1', { hasText: 'Links' }).waitFor();
  const row = page.locator('tr', { has: page.locator('a.code', { hasText: `/${plan.code}-ab` }) });
  await row.waitFor();
  check(where, /password/.test(await row.textContent()) && /A\/B/.test(await row.textContent()),
        `the locked link's row shows no password and A/B rules: ${await row.textContent()}`);

  // Edit: the form shows the rules as saved.
  await open(page, `/links/${plan.code}/edit`, `Edit /${plan.code}`);
  check(where, (await form.getByLabel('utm_source').inputValue()) === 'newsletter', 'edit form lost utm_source');
  check(where, (await form.getByLabel('Click limit').inputValue()) === '1000', 'edit form lost the click limit');
  check(where, await form.getByLabel('Forward the visitor\u2019s query string').isChecked(), 'edit form lost forwardQuery');
  await checkPage(page, vp, 'link-edit', problems);
}

// The link at the edge, in a tab of the same browser.
async function follow(context, vp) {
  const where = `${vp.name}/follow`;
  const tab = await context.newPage();
  const seen = [];
  tab.on('request', (r) => seen.push(r.url()));
  await tab.goto(`${plan.edge}/${plan.code}?ref=dashboard`).catch(() => {});  // the target does not resolve
  await tab.close();
  const target = seen.find((u) => u.startsWith(`https://landing.example.com/${plan.code}`));
  if (check(where, target, `the browser never went to the target: ${seen.join(', ')}`)) {
    const q = new URL(target).searchParams;
    check(where, q.get('utm_source') === 'newsletter' && q.get('utm_campaign') === 'winter' && q.get('ref') === 'dashboard',
          `target without the UTM tags and the forwarded query: ${target}`);
  }
}

async function seeClick(page, vp, problems) {
  const where = `${vp.name}/analytics`;
  let clicks = '0';
  for (let i = 0; i < 40 && clicks === '0'; i++) {
    await open(page, `/links/${plan.code}/analytics?range=24h`, 'Analytics of');
    clicks = (await page.locator('#total-clicks').textContent()).trim();
    if (clicks === '0') {
      await page.waitForTimeout(500);
      await open(page, '/links', 'Links');
    }
  }
  check(where, clicks === '1', `the chart's total is ${clicks} clicks, 1 expected`);
  const dots = await page.locator('svg.line-chart circle.dot').count();
  check(where, dots >= 1, 'no point of the clicks line above zero');
  const heat = await page.locator('svg.heatmap rect.heat:not(.heat-0)').count();
  check(where, heat === 1, `${heat} heatmap cells with clicks, 1 expected`);
  await checkPage(page, vp, 'link-analytics', problems);
}

async function qrCode(page, vp, problems) {
  const where = `${vp.name}/qr`;
  await open(page, '/links', 'Links');
  const opener = page.getByRole('button', { name: `QR code of /${plan.code}`, exact: true });
  if (vp.name === 'phone') {
    await opener.focus();
    await page.keyboard.press('Enter');
  } else {
    await opener.click();
  }
  const img = page.locator('dialog img.qr');
  await page.waitForFunction(() => {
    const i = document.querySelector('dialog img.qr');
    return i && i.complete && i.naturalWidth > 0;
  });
  check(where, (await img.getAttribute('src')).startsWith('blob:'), 'the QR image is not from a blob: URL');
  await checkPage(page, vp, 'qr', problems);
  if (plan.qrFile) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Download PNG/ }).click(),
    ]);
    check(where, download.suggestedFilename() === `${plan.code}.png`, `download named ${download.suggestedFilename()}`);
    await download.saveAs(plan.qrFile);
  }
  if (vp.name === 'phone') {
    // Keyboard alone: Escape closes the dialog and focus returns to its button.
    await page.keyboard.press('Escape');
    await page.locator('dialog').waitFor({ state: 'detached' });
    check(where, await page.evaluate((c) => document.activeElement.getAttribute('aria-label') === `QR code of /${c}`, plan.code),
          'focus did not return to the QR button after Escape');
  } else {
    await page.getByRole('button', { name: 'Close' }).click();
  }
}

async function keys(page, vp, problems) {
  const where = `${vp.name}/keys`;
  await open(page, '/integration', 'API Integration');
  await checkPage(page, vp, 'integration', problems);
  await page.getByLabel('urls GET').check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const secret = (await page.locator('#new-key').textContent()).trim();
  check(where, /^live_v1_/.test(secret), `the new key is shown as ${secret}`);
  await checkPage(page, vp, 'integration-new-key', problems);
  const status = (key, p) => page.evaluate(async ([k, pathName]) =>
    (await fetch(pathName, { headers: { Authorization: `Bearer ${k}` } })).status, [key, p]);
  // These requests go round the page's own pacing (api.js), so around them
  // the test waits for the user's rate-limit bucket (5/s) to fill again.
  await page.waitForTimeout(1200);
  check(where, await status(secret, '/api/v1/urls') === 200, 'the new key cannot list links');
  check(where, await status(secret, '/api/v1/campaigns') === 403, 'the new key, scoped to urls, lists campaigns');
  await page.waitForTimeout(1200);
  const row = page.locator('tr', { hasText: '\u2026' + secret.slice(-4) });
  page.once('dialog', (d) => d.accept());
  await row.getByRole('button', { name: /Revoke/ }).click();
  await page.locator('tr', { hasText: '\u2026' + secret.slice(-4) }).filter({ hasText: 'revoked' }).waitFor();
  await page.waitForTimeout(1200);
  check(where, await status(secret, '/api/v1/urls') === 401, 'the revoked key still works');
  await page.waitForTimeout(1200);
  problems.length = 0;  // the 401 and 403 above were asked for
}

// Bulk upload: a CSV of three rows, one refused (not https), sent with a
// progress bar; the refused row is listed with the API's reason.
async function bulk(page, vp, problems) {
  const where = `${vp.name}/bulk`;
  await open(page, '/bulk', 'Bulk upload');
  const csv = 'longUrl,shortUrl,title,tags\n' +
              'https://example.com/bulk-1,bulk-one,"First, with a comma",a;b\n' +
              'http://example.com/not-https,bulk-two,,\n' +
              'https://example.com/bulk-3,bulk-three,Third,\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'links.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Upload' }).click();
  await page.locator('caption', { hasText: 'Refused rows' }).waitFor();
  const said = await page.locator('main [role="status"]').textContent();
  check(where, /3 of 3 rows sent: 2 created, 1 refused/.test(said), `progress says: ${said}`);
  check(where, (await page.locator('#bulk-progress').getAttribute('value')) === '100', 'the progress bar is not full');
  const refused = await page.locator('tbody tr').allTextContents();
  check(where, refused.length === 1 && refused[0].includes('bulk-two'), `refused rows: ${refused.join(' | ')}`);
  await checkPage(page, vp, 'bulk-done', problems);
}

async function visitAll(page, vp, problems) {
  await open(page, '/links', 'Links');
  await checkPage(page, vp, 'links', problems);
  // Server-side search: only the matching links.
  await page.getByLabel('Search', { exact: true }).fill(plan.code);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForFunction((c) => location.hash.includes(`search=${c}`), plan.code);
  await page.waitForFunction(() => !document.querySelector('main').textContent.includes('Loading\u2026'));
  const codes = await page.locator('td a.code').allTextContents();
  check(`${vp.name}/links`, codes.length >= 1 && codes.every((c) => c.includes(plan.code)),
        `search for ${plan.code} shows ${codes.join(', ')}`);
  for (const [route, heading, name] of [
    ['/analytics', 'Team analytics', 'team-analytics'], ['/campaigns', 'Campaigns', 'campaigns'],
    ['/domains', 'Domains', 'domains'], ['/teams', 'Teams', 'teams'], ['/bulk', 'Bulk upload', 'bulk'],
    ['/links/new', 'New link', 'link-new'], [`/links/${plan.code}/analytics`, 'Analytics of', 'link-analytics'],
    ['/integration', 'API Integration', 'integration']]) {
    await open(page, route, heading);
    await checkPage(page, vp, name, problems);
  }
  await open(page, '/links', 'Links');
  await checkPage(page, vp, 'links', problems);
}

// Log out: the login page, no menu, and the links page out of reach.
async function logOut(page, vp, problems) {
  const where = `${vp.name}/logout`;
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.locator('main h1', { hasText: 'Log in' }).waitFor();
  check(where, await page.locator('#nav').isHidden(), 'the menu is still shown');
  await page.evaluate(() => { location.hash = '/links'; });
  await page.waitForTimeout(300);
  check(where, (await page.locator('main h1').textContent()) === 'Log in', 'the links page opens after logging out');
}

async function run(vp) {
  const context = await chromium.launchPersistentContext(path.join(plan.profileDir, vp.name), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync',
           '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
    viewport: vp.viewport, isMobile: vp.isMobile, hasTouch: vp.hasTouch, deviceScaleFactor: vp.deviceScaleFactor,
    userAgent: USER_AGENT,
    ignoreHTTPSErrors: true,  // admin-api's certificate is the test's own
    acceptDownloads: true,
    timeout: 30000,
  });
  try {
    context.setDefaultTimeout(15000);
    await context.addInitScript({ content: axeSource });
    const page = context.pages()[0] || await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text().slice(0, 200)); });
    page.on('pageerror', (e) => problems.push('script error: ' + e.message));
    const steps = vp.name === 'desktop'
      ? [login, createLinks, async (p) => follow(context, vp), seeClick, qrCode, keys, bulk, visitAll, logOut]
      : [login, visitAll, qrCode];
    for (const step of steps) {
      try {
        await step(page, vp, problems);
      } catch (e) {
        fail(`${vp.name}/${step.name || 'step'}`, `error: ${e.message.split('\n')[0]}`);
        const file = path.join(plan.outDir, `dashboard-error-${vp.name}-${step.name || 'step'}.png`);
        await page.screenshot({ path: file, fullPage: true }).catch(() => {});
      }
    }
  } finally {
    await context.close();
  }
}

async function main() {
  for (const vp of VIEWPORTS) await run(vp);
}

checks.finish(main);

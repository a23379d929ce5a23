// What the browser check scripts (check_pages.mjs, dashboard.mjs) share:
// the npm tools from tests/npm (playwright-core driving Debian's chromium,
// axe-core), the plan file named on the command line, a deadline, the
// failures and screenshots found, and the exit status: 0 all passed, 1 a
// check failed, 2 error or deadline.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const npm = createRequire(path.join(here, '..', 'npm', 'package.json'));  // tests/npm/node_modules
export const { chromium } = npm('playwright-core');
export const axeSource = fs.readFileSync(npm.resolve('axe-core/axe.min.js'), 'utf8');
export const CHROMIUM = process.env.SHORTLINK_CHROMIUM || '/usr/bin/chromium';

export class CheckRun {
  // `deadlineMs` unless SHORTLINK_BROWSER_DEADLINE_MS says otherwise.
  constructor(deadlineMs) {
    const limit = Number(process.env.SHORTLINK_BROWSER_DEADLINE_MS || deadlineMs);
    this.deadline = setTimeout(() => {
      console.log(`ERROR: deadline of ${limit} ms passed`);
      process.exit(2);
    }, limit);
    this.plan = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
    fs.mkdirSync(this.plan.outDir, { recursive: true });
    this.failures = [];
    this.screenshots = [];
    this.fail = this.fail.bind(this);
    this.check = this.check.bind(this);
  }

  fail(where, what) {
    this.failures.push(`${where}: ${what}`);
    console.log(`FAIL ${where}: ${what}`);
  }

  check(where, ok, what) {
    if (!ok) this.fail(where, what);
    return ok;
  }

  // Runs `main`, prints the screenshots and the verdict, and exits.
  finish(main) {
    main().then(() => {
      clearTimeout(this.deadline);
      console.log('screenshots:');
      for (const f of this.screenshots) console.log(`  ${f}`);
      console.log(this.failures.length ? `${this.failures.length} check(s) failed` : 'all checks passed');
      process.exit(this.failures.length ? 1 : 0);
    }, (e) => {
      console.log(`ERROR: ${e.stack}`);
      process.exit(2);
    });
  }
}

// Renders every view of the hub's web app over a hub DB into PNGs (docs/hub-app.md), like the
// kiosk's --screenshot-tour: starts `touchpoint-hub serve` on a private copy of the DB (the DB
// itself is never written), signs in, and screenshots each view at each width in headless
// Chromium (puppeteer-core from hub/web/node_modules, Debian's /usr/bin/chromium).
//
//   tools/hub-screenshots --db hub.db --out DIR [--hub build/touchpoint-hub] [--hub-config FILE]
//       [--user U --password-file F] [--store S] [--query '?compare=1'] [--widths 1366,768]
//
// A DB without users: a temporary admin is created in the copy through the setup link. A DB
// with users: --user and --password-file (a file holding the password, one line) sign in.
import {execFileSync} from 'node:child_process';
import {existsSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';
import {parseArgs} from 'node:util';

import {chromiumPath, launch, openView, REPO, screenshotViews, startHub, waitFor} from '../tests/hub/web/lib.mjs';

function fail(msg) {
  console.error(`hub-screenshots: ${msg}`);
  process.exit(2);
}

let opts;
try {
  ({values: opts} = parseArgs({
     options: {
       'db': {type: 'string'},
       'out': {type: 'string'},
       'hub': {type: 'string', default: join(REPO, 'build/touchpoint-hub')},
       'hub-config': {type: 'string'},
       'user': {type: 'string'},
       'password-file': {type: 'string'},
       'store': {type: 'string'},
       'query': {type: 'string', default: '?compare=1'},
       'widths': {type: 'string', default: '1366,768'},
       'help': {type: 'boolean'},
     },
   }));
} catch (e) {
  fail(e.message);
}
if (opts.help) {
  const text = readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(0, 10);
  console.log(text.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
if (!opts.db || !opts.out) fail('--db DB and --out DIR are required (--help)');
if (!existsSync(opts.db)) fail(`--db: no such file: ${opts.db}`);
if (!existsSync(opts.hub)) fail(`--hub: no touchpoint-hub at ${opts.hub} (tools/dev build)`);
if (!chromiumPath())
  fail('chromium is not installed (/usr/bin/chromium, or set TOUCHPOINT_CHROMIUM)');
if (!opts.query.startsWith('?')) opts.query = `?${opts.query}`;
const widths = opts.widths.split(',').map(Number);
if (widths.some((w) => !Number.isInteger(w) || w < 320 || w > 4000)) {
  fail(`--widths: not a list of widths 320..4000: ${opts.widths}`);
}

const dir = mkdtempSync(join(tmpdir(), 'tp-shots-'));
const copy = join(dir, 'hub.db');
let hub;
let browser;
try {
  // A consistent copy even while a hub writes to the DB (SQLite's online backup).
  execFileSync(
      'sqlite3', [resolve(opts.db), `.backup '${copy}'`], {stdio: ['ignore', 'ignore', 'inherit']});
  const extra = opts['hub-config'] ? ['--hub-config', opts['hub-config']] : [];
  hub = await startHub(opts.hub, copy, {extraArgs: extra});
  browser = await launch();
  const page = await browser.newPage();
  await page.setViewport({width: widths[0], height: 900});
  // The setup line, if any, is printed around the URL line; give it a moment.
  const setup = await waitFor(() => hub.setup(), {timeoutMs: 2000}).catch(() => null);
  let user = opts.user;
  let password = null;
  if (opts['password-file']) password = readFileSync(opts['password-file'], 'utf8').split('\n')[0];
  if (setup) {
    user = 'screenshots';
    password = `tmp-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    await openView(page, setup);
  } else {
    if (!user || !password) throw new Error('the DB has users: pass --user U --password-file F');
    await openView(page, `${hub.url}/login`);
  }
  await page.type('input[name=user]', user);
  await page.type('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForFunction(
      () => document.querySelector('#app')?.dataset.loaded ||
          document.querySelector('.auth-form .error')?.hidden === false,
      {timeout: 15000});
  const err = await page.$eval('.auth-form .error', (e) => (e.hidden ? null : e.textContent))
                  .catch(() => null);
  if (err) throw new Error(`sign-in failed: ${err}`);
  const meta = await page.evaluate(async () => (await fetch('/api/v1/meta')).json());
  const store = opts.store || (meta.stores && meta.stores[0] && meta.stores[0].store);
  const files =
      await screenshotViews(page, hub.url, resolve(opts.out), {store, query: opts.query, widths});
  for (const f of files) console.log(f);
} catch (e) {
  console.error(`hub-screenshots: ${e.message}`);
  process.exitCode = 1;
} finally {
  if (browser) await browser.close();
  if (hub) await hub.stop();
  rmSync(dir, {recursive: true, force: true});
}

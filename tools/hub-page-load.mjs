// Times how long the hub web app's journey map page takes to load in headless Chromium, for
// `touchpoint-bench hubweb` (docs/hub-api.md, "Benchmarks"). Signs in once, then per run opens a
// new tab with the browser cache off (every script, stylesheet and API call fetched again) and
// measures from the navigation's start to the rendered view (#app[data-loaded], set by app.js
// once the view's data is drawn). Prints one JSON line: {"runs":[ms, ...]}.
//
//   node tools/hub-page-load.mjs --url http://127.0.0.1:PORT/ --user U --password-file F
//        [--path '/journey'] [--runs 5]
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

import {chromiumPath, launch} from '../tests/hub/web/lib.mjs';

function fail(msg) {
  console.error(`hub-page-load: ${msg}`);
  process.exit(2);
}

let opts;
try {
  ({values: opts} = parseArgs({
     options: {
       'url': {type: 'string'},
       'user': {type: 'string'},
       'password-file': {type: 'string'},
       'path': {type: 'string', default: '/journey'},
       'runs': {type: 'string', default: '5'},
     },
   }));
} catch (e) {
  fail(e.message);
}
if (!opts.url || !opts.user || !opts['password-file']) {
  fail('--url, --user and --password-file are required');
}
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 100) fail(`--runs: not 1..100: ${opts.runs}`);
if (!chromiumPath()) fail('chromium is not installed (/usr/bin/chromium)');
const base = new URL(opts.url);
const password = readFileSync(opts['password-file'], 'utf8').split('\n')[0];

const browser = await launch();
try {
  const signIn = await browser.newPage();
  await signIn.goto(new URL('/login', base).href, {waitUntil: 'domcontentloaded'});
  const status = await signIn.evaluate(async (user, password) => {
    const r = await fetch('/api/v1/login', {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({user, password}),
    });
    return r.status;
  }, opts.user, password);
  if (status !== 200) throw new Error(`sign-in answered ${status}`);
  await signIn.close();
  const times = [];
  for (let i = 0; i < runs; ++i) {
    const page = await browser.newPage();
    await page.setCacheEnabled(false);
    await page.setViewport({width: 1366, height: 900});
    const t0 = Date.now();
    await page.goto(new URL(opts.path, base).href, {waitUntil: 'domcontentloaded'});
    await page.waitForFunction(() => document.querySelector('#app')?.dataset.loaded,
                               {timeout: 30000});
    times.push(Date.now() - t0);
    if (await page.$('main.auth')) throw new Error('the page asked to sign in again');
    await page.close();
  }
  console.log(JSON.stringify({runs: times}));
} catch (e) {
  console.error(`hub-page-load: ${e.message}`);
  process.exitCode = 1;
} finally {
  await browser.close();
}

// Shared by the browser tests and tools/hub-screenshots: find Chromium and puppeteer-core
// (installed by `npm ci --prefix hub/web`), start `touchpoint-hub serve` and read what it prints,
// wait for the app, and screenshot every view.
import {spawn} from 'node:child_process';
import {existsSync, mkdirSync} from 'node:fs';
import {createRequire} from 'node:module';
import {createServer} from 'node:net';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_SRC = join(REPO, 'hub/web');

export function chromiumPath() {
  for (const p
           of [process.env.TOUCHPOINT_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

export function loadPuppeteer() {
  const req = createRequire(join(WEB_SRC, 'package.json'));
  try {
    return req('puppeteer-core');
  } catch (e) {
    throw new Error(
        `puppeteer-core is not installed in hub/web/node_modules: run \`tools/dev deps\` or \`npm ci --prefix hub/web\` (${
            e.message})`);
  }
}

export async function launch() {
  const puppeteer = loadPuppeteer();
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none',
      '--lang=en-GB'
    ],
  });
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => res(port));
    });
  });
}

// Runs `touchpoint-hub ARGS` to completion; resolves {code, out, err}. Bounded by timeoutMs.
export function run(bin, args, {timeoutMs = 60000} = {}) {
  return new Promise((res, rej) => {
    const p = spawn(bin, args, {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      rej(new Error(`${bin} ${args.join(' ')}: no exit within ${timeoutMs} ms`));
    }, timeoutMs);
    p.on('error', (e) => {
      clearTimeout(t);
      rej(e);
    });
    p.on('close', (code) => {
      clearTimeout(t);
      res({code, out, err});
    });
  });
}

// Starts `touchpoint-hub --db DB serve --http 127.0.0.1:PORT ...` and waits (bounded) for
// "hub: web app at URL". Returns {url, setupUrl|null, proc, output(), stop()}.
export async function startHub(bin, db, {extraArgs = [], timeoutMs = 30000} = {}) {
  const port = await freePort();
  const args = ['--db', db, 'serve', '--http', `127.0.0.1:${port}`, ...extraArgs];
  const proc = spawn(bin, args, {stdio: ['ignore', 'pipe', 'pipe']});
  // Never leave the server behind, whatever way this process ends.
  const reap = () => proc.kill('SIGKILL');
  process.once('exit', reap);
  proc.once('exit', () => process.removeListener('exit', reap));
  let out = '';
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  const ready = new Promise((res, rej) => {
    const t = setTimeout(
        () => rej(new Error(`touchpoint-hub serve did not print its URL within ${
            timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)),
        timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(t);
      rej(new Error(`touchpoint-hub serve exited (${code}) before listening; stdout:\n${
          out}\nstderr:\n${err}`));
    });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/hub: web app at (http:\/\/\S+?)\/?\s*$/m);
      if (m) {
        clearTimeout(t);
        res(m[1]);
      }
    });
  });
  const url = await ready.catch((e) => {
    proc.kill('SIGKILL');
    throw e;
  });
  // The setup line comes before or right after the URL line; give it a moment to arrive.
  const setup = () => {
    const m = out.match(/create the admin at (http:\/\/\S+\/setup#token=[0-9a-f]{48})/);
    return m ? m[1] : null;
  };
  return {
    url,
    setup,
    output: () => out + err,
    proc,
    stop: () => new Promise((res) => {
      if (proc.exitCode !== null) return res(proc.exitCode);
      proc.on('exit', (c) => res(c));
      proc.kill('SIGTERM');
      setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
    }),
  };
}

export async function waitFor(cond, {timeoutMs = 10000, what = 'condition'} = {}) {
  const start = Date.now();
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The views the app has, with the path of each (the store page takes a store id).
export const VIEW_PATHS = [
  ['journey', '/journey'],
  ['trends', '/trends'],
  ['heatmaps', '/heatmaps'],
  ['stores', '/stores'],
  ['store', '/stores/{store}'],
  ['painpoints', '/painpoints'],
  ['fleet', '/fleet'],
  ['alerts', '/alerts'],
  ['users', '/users'],
  ['config', '/config'],
];

// Opens a URL of the app and waits until a view rendered (#app[data-loaded], set by app.js).
// When the page already shows the app (signed in), it navigates inside the app as its links do
// (history + popstate): no reload of the scripts per view, one /api/v1/live stream throughout.
export async function openView(page, url, {timeoutMs = 15000, reload = false} = {}) {
  const u = new URL(url);
  const inApp = !reload && !u.hash && page.url().startsWith(u.origin) &&
      (await page.$('#app[data-loaded]')) !== null;
  if (inApp) {
    const before = await page.$eval('#app', (e) => e.dataset.loaded);
    await page.evaluate((p) => {
      history.pushState(null, '', p);
      dispatchEvent(new PopStateEvent('popstate'));
    }, u.pathname + u.search);
    await page.waitForFunction(
        (b) => document.querySelector('#app')?.dataset.loaded !== b ||
            document.querySelector('main.auth'),
        {timeout: timeoutMs}, before);
    return;
  }
  await page.goto(url, {waitUntil: 'domcontentloaded', timeout: timeoutMs});
  await page.waitForFunction(
      () => document.querySelector('#app')?.dataset.loaded || document.querySelector('main.auth'),
      {timeout: timeoutMs});
}

// Screenshots every view at each width into outDir as <view>-<width>.png; returns the paths.
export async function screenshotViews(
    page, base, outDir, {store, query = '', widths = [1366, 768]} = {}) {
  mkdirSync(outDir, {recursive: true});
  const files = [];
  for (const width of widths) {
    await page.setViewport({width, height: 900});
    for (const [name, path] of VIEW_PATHS) {
      if (name === 'store' && !store) continue;
      await openView(
          page,
          base + path.replace('{store}', encodeURIComponent(store || '')) +
              (['alerts', 'users', 'config'].includes(name) ? '' : query));
      const file = join(outDir, `${name}-${width}.png`);
      await page.screenshot({path: file, fullPage: true});
      files.push(file);
    }
  }
  return files;
}

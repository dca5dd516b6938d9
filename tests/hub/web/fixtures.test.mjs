// The web app against the fixture server (API answers from hub/web/test/fixtures, which follow
// the contract): login, setup, every view at 1366 and 768 px (screenshots), numbers on the page =
// the fixture's, filters in the URL, live refresh without reload, CSV link, alerts 404 note.
// The same app against a real `touchpoint-hub serve` is app.test.mjs.
import assert from 'node:assert/strict';
import {mkdirSync, readFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {startFixtureServer} from './fixture_server.mjs';
import {chromiumPath, launch, openView, screenshotViews, waitFor, WEB_SRC} from './lib.mjs';

const chromium = chromiumPath();
const outDir = join(
    process.env.TOUCHPOINT_TEST_OUT || join(tmpdir(), 'touchpoint-web-fixtures'), 'screenshots');
const fixture = (n) =>
    JSON.parse(readFileSync(join(WEB_SRC, 'test/fixtures', `${n}.json`), 'utf8'));

describe(
    'web app on fixtures', {
      skip: chromium ? false :
                       'chromium is not installed (/usr/bin/chromium): browser tests skipped'
    },
    () => {
      let server;
      let browser;
      let page;
      const errors = [];

      before(async () => {
        server = await startFixtureServer();
        browser = await launch();
        page = await browser.newPage();
        page.on('pageerror', (e) => errors.push(e.message));
        await page.setViewport({width: 1366, height: 900});
      });
      after(async () => {
        if (browser) await browser.close();
        if (server) await server.close();
      });

      test('an unknown user gets an error; the right password opens the journey map', async () => {
        await openView(page, `${server.url}/journey?compare=1`);
        assert.match(page.url(), /\/login\?next=/);
        await page.type('input[name=user]', 'ana');
        await page.type('input[name=password]', 'nope');
        await page.click('button[type=submit]');
        await page.waitForSelector('.auth-form .error:not([hidden])', {timeout: 5000});
        const msg = await page.$eval('.auth-form .error', (e) => e.textContent);
        assert.equal(msg, 'wrong user or password');
        await page.$eval('input[name=password]', (e) => (e.value = ''));
        await page.type('input[name=password]', 'password');
        await page.click('button[type=submit]');
        await page.waitForSelector('#journey-grid', {timeout: 10000});
        assert.equal(
            new URL(page.url()).pathname + new URL(page.url()).search, '/journey?compare=1');
      });

      test('journey cells show the API figures, formatted, and null as –', async () => {
        const data = fixture('journey');
        for (const c of data.cells) {
          const sel = `td.cell[data-touchpoint="${c.touchpoint}"][data-stage="${c.stage}"]`;
          const got = await page.$eval(sel, (td) => Object.fromEntries([
            ...td.querySelectorAll('dd[data-k]')
          ].map((d) => [d.dataset.k, d.textContent])));
          assert.equal(got.responses, c.figures.responses.toLocaleString('en-GB'), sel);
          assert.equal(got.visitors_in, c.figures.visitors_in.toLocaleString('en-GB'), sel);
          assert.equal(
              got.csat_mean, c.figures.csat_mean === null ? '–' : c.figures.csat_mean.toFixed(2),
              sel);
        }
        // entrance × pay has no cell in the fixture: shown as an empty cell with a dash.
        assert.equal(
            await page.$eval(
                'td.cell.none[data-touchpoint="entrance"][data-stage="pay"]',
                (e) => e.textContent.trim()),
            '–');
      });

      test('a filter change goes into the URL and reloads the view', async () => {
        const before = await page.$eval('#app', (e) => e.dataset.loaded);
        await page.select('select[name=metric]', 'nps');
        await waitFor(
            () => page.$eval('#app', (e, b) => e.dataset.loaded !== b, before),
            {what: 'the view to reload'});
        assert.match(page.url(), /metric=nps/);
        const before2 = await page.$eval('#app', (e) => e.dataset.loaded);
        await page.click('input[name=suspect]');
        await waitFor(
            () => page.$eval('#app', (e, b) => e.dataset.loaded !== b, before2),
            {what: 'the view to reload'});
        assert.match(page.url(), /suspect=1/);
        assert.match(
            await page.$eval('#export-csv', (a) => a.getAttribute('href')),
            /^\/api\/v1\/journey\?.*suspect=1.*format=csv/);
      });

      test('a commit on /api/v1/live refreshes the open view without a reload', async () => {
        await page.evaluate(() => (window.__sameDocument = true));
        const before = await page.$eval('#app', (e) => e.dataset.loaded);
        await page.waitForFunction(
            () => document.querySelector('#live-badge')?.dataset.state === 'live', {timeout: 5000});
        // A menu of the filter bar is open when the update comes: it stays open (the same node).
        await page.click('details[data-filter=stores] summary');
        await page.evaluate(
            () => (window.__storesMenu = document.querySelector('details[data-filter=stores]')));
        const grid = await page.$('#journey-grid');
        const res = await fetch(`${server.url}/__commit`, {method: 'POST'});
        assert.equal(res.status, 204);
        await waitFor(
            () => page.$eval('#app', (e, b) => e.dataset.loaded !== b, before),
            {what: 'the live refresh', timeoutMs: 3000});
        assert.equal(await page.evaluate(() => window.__sameDocument), true);
        assert.match(await page.$eval('#live-badge', (e) => e.textContent), /updated/);
        assert.equal(await grid.evaluate((g) => g.isConnected), false, 'the content is redrawn');
        assert.deepEqual(
            await page.evaluate(() => [window.__storesMenu.isConnected, window.__storesMenu.open]),
            [true, true]);
        await page.click('details[data-filter=stores] summary');
      });

      test('a live update waits while a form of the view is being filled', async () => {
        await openView(page, `${server.url}/alerts`);
        await page.waitForSelector('#new-rule');
        await page.waitForFunction(
            () => document.querySelector('#live-badge')?.dataset.state === 'live', {timeout: 5000});
        await page.type('#new-rule input[name=name]', 'half typed');
        const before = await page.$eval('#app', (e) => e.dataset.loaded);
        await fetch(`${server.url}/__commit`, {method: 'POST'});
        await page.waitForFunction(
            () => document.querySelector('#live-badge')?.dataset.state === 'held', {timeout: 3000});
        assert.match(await page.$eval('#live-badge', (e) => e.textContent), /waits while you edit/);
        mkdirSync(outDir, {recursive: true});
        await page.screenshot({path: join(outDir, 'alerts-held-1366.png')});
        assert.equal(await page.$eval('#app', (e) => e.dataset.loaded), before);
        assert.equal(await page.$eval('#new-rule input[name=name]', (i) => i.value), 'half typed');
        // Sending the form reloads the view; the next update comes in again.
        await page.click('#new-rule button[type=submit]');
        await waitFor(
            () => page.$eval('#app', (e, b) => e.dataset.loaded !== b, before),
            {what: 'the reload after adding the rule', timeoutMs: 3000});
        assert.equal(await page.$eval('#new-rule input[name=name]', (i) => i.value), '');
        const sent = await page.$eval('#app', (e) => e.dataset.loaded);
        await fetch(`${server.url}/__commit`, {method: 'POST'});
        await waitFor(
            () => page.$eval('#app', (e, b) => e.dataset.loaded !== b, sent),
            {what: 'the live refresh after the form was sent', timeoutMs: 3000});
        await openView(page, `${server.url}/journey?compare=1`);
      });

      test('a live stream refused (429) is tried again, and then refreshes the view', async () => {
        await fetch(`${server.url}/__live429?n=1`);
        await openView(page, page.url(), {reload: true});
        await page.waitForFunction(
            () => document.querySelector('#live-badge')?.dataset.state === 'offline',
            {timeout: 5000});
        assert.match(
            await page.$eval('#live-badge', (e) => e.textContent), /Not live \(retry in 5 s\)/);
        await page.waitForFunction(
            () => document.querySelector('#live-badge')?.dataset.state === 'live',
            {timeout: 10000});
        const before = await page.$eval('#app', (e) => e.dataset.loaded);
        await fetch(`${server.url}/__commit`, {method: 'POST'});
        await waitFor(
            () => page.$eval('#app', (e, b) => e.dataset.loaded !== b, before),
            {what: 'the live refresh after the retry', timeoutMs: 3000});
      });

      test('the setup link creates the admin and signs in', async () => {
        const ctx = await browser.createBrowserContext();
        const p = await ctx.newPage();
        await openView(p, `${server.url}/setup#token=${'ab'.repeat(24)}`);
        await p.type('input[name=user]', 'root');
        await p.type('input[name=password]', 'long enough pass');
        await p.click('button[type=submit]');
        await p.waitForSelector('#journey-grid', {timeout: 10000});
        await openView(p, `${server.url}/setup#token=short`);
        assert.match(await p.$eval('main.auth .error', (e) => e.textContent), /no valid token/);
        await ctx.close();
      });

      test('every view renders at 1366 and 768 px (screenshots)', async () => {
        const files = await screenshotViews(
            page, server.url, outDir, {store: 'store-0001', query: '?compare=1'});
        assert.equal(files.length, 20);
        console.log(`screenshots: ${outDir}`);
        // Fleet: the offline and the stale kiosk stand out (rows marked bad, listed first).
        await openView(page, `${server.url}/fleet`);
        const bad = await page.$$eval(
            '#fleet-table tbody tr.bad', (rows) => rows.map((r) => r.dataset.kiosk));
        assert.deepEqual(bad.sort(), ['k-0003-checkout', 'k-0005-entrance']);
        // At 768 px nothing but the tables scrolls sideways.
        await page.setViewport({width: 768, height: 900});
        for (const v of ['/journey', '/stores', '/fleet']) {
          await openView(page, server.url + v);
          const w = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(w <= 768, `${v} is ${w} px wide at 768`);
        }
        await page.setViewport({width: 1366, height: 900});
        assert.deepEqual(errors, []);
      });

      test('users: the regions appear only for a regional user', async () => {
        await openView(page, `${server.url}/users`);
        const visible = () =>
            page.$eval('#new-user fieldset.regions', (f) => f.offsetParent !== null);
        assert.equal(await visible(), false);
        await page.select('#new-user select[name=role]', 'regional');
        assert.equal(await visible(), true);
      });

      test('alerts: a 404 from the hub shows a note, not an error', async () => {
        await fetch(`${server.url}/__alerts404`);
        await openView(page, `${server.url}/alerts`);
        assert.match(
            await page.$eval('#alerts-unavailable', (e) => e.textContent), /not available/);
        // Only elements under #app (no stray text such as "null" from a view without filters).
        assert.equal(
            await page.$eval('#app', (e) => [...e.childNodes].every((n) => n.nodeType === 1)),
            true);
      });
    });

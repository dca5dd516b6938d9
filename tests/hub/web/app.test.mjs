// The web app in headless Chromium against a real `touchpoint-hub serve` over a hub DB filled by
// `touchpoint-hub import --enrol` with known events (events.mjs): first-admin setup, every view
// at 1366 and 768 px (screenshots into $TOUCHPOINT_TEST_OUT/screenshots), the numbers on the page
// = the API's, a filter change (URL and numbers change), a live update after another import
// (awaited, bounded) without a reload, and the CSV export.
import assert from 'node:assert/strict';
import {existsSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {FLEET, HUB_CONFIG, makeEvents, writeEvents} from './events.mjs';
import {chromiumPath, launch, openView, REPO, run, screenshotViews, startHub, waitFor} from './lib.mjs';

const chromium = chromiumPath();
const HUB = process.env.TOUCHPOINT_HUB_BIN || join(REPO, 'build/touchpoint-hub');
const OUT = process.env.TOUCHPOINT_TEST_OUT || join(tmpdir(), 'touchpoint-web-test');
const int = new Intl.NumberFormat('en-GB', {maximumFractionDigits: 0});
const dec = (d) =>
    new Intl.NumberFormat('en-GB', {minimumFractionDigits: d, maximumFractionDigits: d});
const show = (x, f) => (x === null || x === undefined ? '–' : f(x));

const skip = !chromium ? 'chromium is not installed (/usr/bin/chromium): browser tests skipped' :
    !existsSync(HUB)   ? `no touchpoint-hub at ${HUB} (build it, or set TOUCHPOINT_HUB_BIN)` :
                         false;

describe('web app on a real hub', {skip}, () => {
  let dir;
  let hub;
  let browser;
  let page;
  const errors = [];
  const seqs = new Map();
  const nowMs = Date.now();

  // The page's own fetch (its session cookie): what the API says for the view's query.
  const apiOf = (path) => page.evaluate(async (p) => {
    const r = await fetch(p);
    return {status: r.status, type: r.headers.get('content-type'), body: await r.text()};
  }, path);
  const loaded = () => page.$eval('#app', (e) => e.dataset.loaded);
  const reloadAfter = async (before, what) =>
      waitFor(async () => (await loaded()) !== before, {what, timeoutMs: 10000});

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tp-web-'));
    const db = join(dir, 'hub.db');
    const cfg = join(dir, 'hub.toml');
    writeFileSync(cfg, HUB_CONFIG);
    const file = join(dir, 'events.jsonl');
    writeEvents(file, makeEvents({nowMs, days: 14, seqStart: seqs}));
    const imp = await run(HUB, ['--db', db, 'import', '--enrol', file]);
    assert.equal(imp.code, 0, imp.out + imp.err);
    hub = await startHub(HUB, db, {extraArgs: ['--hub-config', cfg]});
    browser = await launch();
    page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewport({width: 1366, height: 900});
  });
  after(async () => {
    if (browser) await browser.close();
    if (hub) await hub.stop();
    if (dir) rmSync(dir, {recursive: true, force: true});
  });

  test('the first start prints a setup link; it creates the admin and signs in', async () => {
    const link =
        await waitFor(() => hub.setup(), {what: 'the setup link on stdout', timeoutMs: 5000});
    await openView(page, link);
    await page.type('input[name=user]', 'admin');
    await page.type('input[name=password]', 'correct horse battery');
    await page.click('button[type=submit]');
    await page.waitForSelector('#journey-grid', {timeout: 15000});
    assert.equal(new URL(page.url()).pathname, '/journey');
    // The token is single use.
    const again = await fetch(`${hub.url}/api/v1/setup`, {
      method: 'POST',
      headers: {'Content-Type': 'application/json'},
      body:
          JSON.stringify({token: new URL(link).hash.slice(7), user: 'x', password: 'yyyyyyyyyyyy'})
    });
    assert.equal(again.status, 403);
  });

  test('journey map: every cell shows the API figures', async () => {
    const api = JSON.parse((await apiOf('/api/v1/journey' + new URL(page.url()).search)).body);
    assert.ok(api.cells.length >= 3, JSON.stringify(api.cells.length));
    assert.deepEqual(api.stages.slice(0, 4), ['arrive', 'browse', 'try', 'pay']);
    for (const c of api.cells) {
      const sel = `td.cell[data-touchpoint="${c.touchpoint}"][data-stage="${c.stage}"]`;
      const got = await page.$eval(sel, (td) => Object.fromEntries([
        ...td.querySelectorAll('dd[data-k]')
      ].map((d) => [d.dataset.k, d.textContent])));
      assert.equal(got.responses, show(c.figures.responses, int.format), sel);
      assert.equal(got.visitors_in, show(c.figures.visitors_in, int.format), sel);
      assert.equal(got.csat_mean, show(c.figures.csat_mean, dec(2).format), sel);
      assert.equal(got.nps, show(c.figures.nps, dec(0).format), sel);
    }
    const stageHeads = await page.$$eval(
        '#journey-grid th.stage', (ths) => ths.map((t) => t.textContent.replace(/^\d+/, '')));
    assert.deepEqual(stageHeads, api.stages);
  });

  test('a filter change goes into the URL and changes the numbers', async () => {
    const total = () => page.$$eval(
        '#journey-grid dd[data-k=responses]',
        (dds) => dds.reduce((a, d) => a + Number(d.textContent.replace(/,/g, '') || 0), 0));
    const before = await total();
    const b = await loaded();
    await page.click('details[data-filter=stores] summary');
    await page.click('details[data-filter=stores] input[value="store-0003"]');
    await reloadAfter(b, 'the view after choosing a store');
    assert.match(page.url(), /store=store-0003/);
    const after = await total();
    assert.ok(after > 0 && after < before, `responses ${before} -> ${after}`);
    const api = JSON.parse((await apiOf('/api/v1/journey' + new URL(page.url()).search)).body);
    assert.deepEqual(api.filter.stores, ['store-0003']);
    assert.equal(after, api.cells.reduce((a, c) => a + (c.figures.responses || 0), 0));
    // The link reproduces the view: a fresh page on the same URL shows the same numbers.
    const p2 = await browser.newPage();
    await openView(p2, page.url());
    const again = await p2.$$eval(
        '#journey-grid dd[data-k=responses]',
        (dds) => dds.reduce((a, d) => a + Number(d.textContent.replace(/,/g, '') || 0), 0));
    await p2.close();
    assert.equal(again, after);
  });

  test('a live update arrives after an import, without a reload', async () => {
    await page.evaluate(() => (window.__sameDocument = true));
    const sel = 'td.cell[data-touchpoint="checkout"][data-stage="pay"] dd[data-k=responses]';
    const before = await page.$eval(sel, (d) => d.textContent);
    // 'updated': the stream is open and has already brought an update (the admin's own
    // sign-up is a write the hub reports too).
    await page.waitForFunction(
        () => ['live', 'updated'].includes(document.querySelector('#live-badge')?.dataset.state),
        {timeout: 10000});
    const file = join(dir, 'more.jsonl');
    writeEvents(
        file,
        makeEvents({nowMs, days: 1, seed: 2, seqStart: seqs, perHour: 1})
            .filter((e) => e.store_id === 'store-0003'));
    const t0 = Date.now();
    const imp = await run(HUB, ['--db', join(dir, 'hub.db'), 'import', file]);
    assert.equal(imp.code, 0, imp.out + imp.err);
    await waitFor(
        async () => (await page.$eval(sel, (d) => d.textContent)) !== before,
        {what: 'the live update of checkout × pay', timeoutMs: 10000});
    console.log(`live update on the page ${Date.now() - t0} ms after the import started`);
    assert.equal(await page.evaluate(() => window.__sameDocument), true);
    const api = JSON.parse((await apiOf('/api/v1/journey' + new URL(page.url()).search)).body);
    const cell = api.cells.find((c) => c.touchpoint === 'checkout' && c.stage === 'pay');
    assert.equal(await page.$eval(sel, (d) => d.textContent), int.format(cell.figures.responses));
  });

  test('CSV export: the link gives the view rows as CSV', async () => {
    const href = await page.$eval('#export-csv', (a) => a.getAttribute('href'));
    assert.match(href, /format=csv/);
    const csv = await apiOf(href);
    assert.equal(csv.status, 200);
    assert.match(csv.type, /^text\/csv/);
    const rows = csv.body.trim().split('\n');
    const api = JSON.parse((await apiOf('/api/v1/journey' + new URL(page.url()).search)).body);
    assert.equal(rows.length - 1, api.cells.length, csv.body.slice(0, 400));
    assert.match(rows[0], /csat_mean/);
  });

  test('an alert rule made on the Alerts page opens an alert, which is acknowledged', async () => {
    await openView(page, `${hub.url}/alerts`);
    await page.waitForSelector('#new-rule');
    await page.type('#new-rule input[name=name]', 'checkout unhappy');
    await page.select('#new-rule select[name=metric]', 'unhappy_pct');
    await page.$eval('#new-rule input[name=threshold]', (i) => (i.value = '20'));
    await page.$eval('#new-rule input[name=window_min]', (i) => (i.value = '10080'));
    await page.select('#new-rule select[name=scope]', 'store:store-0003');
    const n = await loaded();
    await page.click('#new-rule button[type=submit]');
    await reloadAfter(n, 'the alerts page after adding the rule');
    assert.equal(
        await page.$eval('#content .error', (e) => (e.hidden ? null : e.textContent))
            .catch(() => null),
        null);
    await page.waitForSelector('#rules-table tr[data-rule="checkout unhappy"]', {timeout: 5000});
    // A commit makes the hub evaluate its rules (it also does every 30 s).
    const file = join(dir, 'alert.jsonl');
    writeEvents(
        file,
        makeEvents({nowMs, days: 1, seed: 3, seqStart: seqs, perHour: 1})
            .filter((e) => e.store_id === 'store-0003'));
    assert.equal((await run(HUB, ['--db', join(dir, 'hub.db'), 'import', file])).code, 0);
    await waitFor(async () => {
      await openView(page, `${hub.url}/alerts`);
      return page.$('#alerts-table button[data-ack]');
    }, {what: 'an open alert with its Acknowledge button', timeoutMs: 45000});
    const row = await page.$eval('#alerts-table tr.bad', (r) => r.textContent);
    assert.match(row, /store-0003/);
    const m = await loaded();
    await page.click('#alerts-table button[data-ack]');
    await reloadAfter(m, 'the alerts after acknowledging');
    const acked = await page.$$eval(
        '#alerts-table tbody tr',
        (rows) => rows.map((r) => r.querySelector('[data-k=state]').textContent));
    assert.ok(acked.includes('acked'), acked.join(','));
    assert.match(await page.$eval('#alerts-table tbody', (e) => e.textContent), /admin, /);
  });

  test('a regional user sees only its region in the filters and the views', async () => {
    const made = await page.evaluate(async () => {
      const session = await (await fetch('/api/v1/session')).json();
      const r = await fetch('/api/v1/users', {
        method: 'POST',
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': session.csrf},
        body: JSON.stringify(
            {user: 'nora', password: 'another long one', role: 'regional', regions: ['north']}),
      });
      return r.status;
    });
    assert.equal(made, 201);
    const ctx = await browser.createBrowserContext();
    const p = await ctx.newPage();
    try {
      await openView(p, `${hub.url}/login`);
      await p.type('input[name=user]', 'nora');
      await p.type('input[name=password]', 'another long one');
      await p.click('button[type=submit]');
      await p.waitForSelector('#journey-grid', {timeout: 15000});
      const stores =
          await p.$$eval('details[data-filter=stores] input', (is) => is.map((i) => i.value));
      assert.deepEqual(stores.sort(), ['store-0001', 'store-0002']);
      assert.match(await p.$eval('#filter-summary', (e) => e.textContent), /· 2 stores/);
      await openView(p, `${hub.url}/stores`);
      const ranked =
          await p.$$eval('#stores-table tbody tr', (rows) => rows.map((r) => r.dataset.store));
      assert.deepEqual(ranked.sort(), ['store-0001', 'store-0002']);
      // A link to another region's store: the hub's 403 is shown, no figures.
      await openView(p, `${hub.url}/stores/store-0003`);
      assert.match(
          await p.$eval('#content .error', (e) => e.textContent), /outside your regions|403/);
      assert.equal(await p.$('#content .cards'), null);
    } finally {
      await ctx.close();
    }
  });

  test(
      'every view renders without errors and matches the API; screenshots at 1366 and 768 px',
      async () => {
        const query = '?compare=1';
        for (const [path, endpoint] of [
                 ['/stores', '/api/v1/stores'], ['/fleet', '/api/v1/fleet'],
                 ['/painpoints', '/api/v1/painpoints'], ['/trends', '/api/v1/trends'],
                 ['/heatmaps', '/api/v1/heatmap'],
                 ['/stores/store-0003', '/api/v1/stores/store-0003']]) {
          await openView(page, hub.url + path + query);
          const err = await page.$('#content .error');
          assert.equal(err, null, `${path}: ${err && (await err.evaluate((e) => e.textContent))}`);
          const api = JSON.parse((await apiOf(endpoint + query)).body);
          if (path === '/stores') {
            const shown = await page.$$eval(
                '#stores-table tbody tr',
                (rows) => rows.map(
                    (r) => [r.dataset.store, r.querySelector('[data-k=score]').textContent]));
            assert.deepEqual(shown, api.stores.map((s) => [s.store, show(s.score, dec(2).format)]));
          } else if (path === '/fleet') {
            const shown = await page.$$eval(
                '#fleet-table tbody tr', (rows) => rows.map((r) => r.dataset.kiosk).sort());
            assert.deepEqual(shown, api.kiosks.map((k) => k.kiosk).sort());
            assert.equal(shown.length, FLEET.length);
          } else if (path === '/painpoints') {
            const shown = await page.$$eval(
                '#pain-table tbody tr',
                (rows) => rows.map(
                    (r) =>
                        [r.querySelector('[data-k=reason]').textContent,
                         r.querySelector('[data-k=unhappy]').textContent]));
            assert.deepEqual(shown, api.reasons.map((r) => [r.reason, int.format(r.unhappy)]));
          } else if (path.startsWith('/stores/')) {
            assert.equal(
                await page.$eval('.cards [data-k=responses]', (e) => e.textContent),
                int.format(api.figures.responses));
          }
        }
        // The heatmap's colours follow the values: Monday 09:00 (quiet) and 15:00 (busy) differ.
        await openView(page, `${hub.url}/heatmaps`);
        const colours = await page.evaluate(() => {
          const el = document.getElementById('heat-visitors_in');
          const chart = window.echarts.getInstanceByDom(el);
          const canvas = el.querySelector('canvas');
          const ratio = canvas.width / el.clientWidth;
          return [[9, 0], [15, 0]].map((cell) => {
            const [x, y] = chart.convertToPixel({seriesIndex: 0}, cell);
            return [
              ...canvas.getContext('2d')
                  .getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1)
                  .data
            ].join(',');
          });
        });
        assert.notEqual(colours[0], colours[1], `heatmap colours ${colours}`);
        await openView(page, `${hub.url}/alerts`);
        assert.ok(
            await page.$('#alerts-table, #alerts-unavailable, #content .empty-state'),
            'alerts: a list or a note');
        assert.equal(
            await page.$eval('#app', (e) => [...e.childNodes].every((n) => n.nodeType === 1)),
            true);
        // Users (admin): the list, and a user made with the form.
        await openView(page, `${hub.url}/users`);
        assert.deepEqual(
            await page.$$eval(
                '#users-table tbody tr', (rows) => rows.map((r) => r.dataset.user).sort()),
            ['admin', 'nora']);
        const n = await page.$eval('#app', (e) => e.dataset.loaded);
        await page.type('#new-user input[name=user]', 'ana');
        await page.type('#new-user input[name=password]', 'a long password');
        await page.click('#new-user button[type=submit]');
        await reloadAfter(n, 'the users list after creating ana');
        assert.deepEqual(
            await page.$$eval(
                '#users-table tbody tr', (rows) => rows.map((r) => r.dataset.user).sort()),
            ['admin', 'ana', 'nora']);
        const files = await screenshotViews(
            page, hub.url, join(OUT, 'screenshots'), {store: 'store-0003', query});
        console.log(`screenshots (${files.length}): ${join(OUT, 'screenshots')}`);
        assert.equal(files.length, 20);
        await page.setViewport({width: 768, height: 900});
        for (const v of ['/journey', '/stores', '/fleet', '/painpoints']) {
          await openView(page, hub.url + v);
          const w = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(w <= 768, `${v} is ${w} px wide at 768`);
        }
        assert.deepEqual(errors, []);
      });

  test(
      'the admin edits the stage order on the Config page, the journey map follows; an analyst ' +
          'gets 403',
      async () => {
        await page.setViewport({width: 1366, height: 900});
        await openView(page, `${hub.url}/config`);
        assert.equal(await page.$eval('#config-text', (e) => e.value), HUB_CONFIG);
        const order = () =>
            page.$$eval('#stage-order li', (lis) => lis.map((li) => li.dataset.stage));
        assert.deepEqual((await order()).slice(0, 4), ['arrive', 'browse', 'try', 'pay']);
        for (let i = 0; i < 3; ++i) await page.click('#stage-order button[data-up="pay"]');
        assert.deepEqual((await order()).slice(0, 4), ['pay', 'arrive', 'browse', 'try']);
        assert.match(
            await page.$eval('#config-text', (e) => e.value),
            /stages = \["pay", "arrive", "browse", "try"\]/);
        await page.click('#config-save');
        await page.waitForSelector('#config-saved:not([hidden])', {timeout: 10000});
        assert.match(
            await page.$eval('#stages-in-force', (e) => e.textContent),
            /^pay → arrive → browse/);
        await openView(page, `${hub.url}/journey`);
        const heads = await page.$$eval(
            '#journey-grid th.stage', (ths) => ths.map((t) => t.textContent.replace(/^\d+/, '')));
        assert.deepEqual(heads.slice(0, 4), ['pay', 'arrive', 'browse', 'try']);
        // A config with problems: listed with line and column, nothing saved.
        await openView(page, `${hub.url}/config`);
        await page.$eval('#config-text', (e) => (e.value = '[journey]\nstages = ["a", "a"]\n'));
        await page.click('#config-save');
        await page.waitForSelector('#config-problems li', {timeout: 10000});
        assert.match(
            await page.$eval('#config-problems', (e) => e.textContent),
            /Line 2, column 10: journey\.stages: a stage is listed twice/);
        const kept = JSON.parse((await apiOf('/api/v1/config')).body);
        assert.deepEqual(kept.config.stages, ['pay', 'arrive', 'browse', 'try']);
        // An analyst: no Config link, and the API says 403.
        const ctx = await browser.createBrowserContext();
        const p = await ctx.newPage();
        try {
          await openView(p, `${hub.url}/login`);
          await p.type('input[name=user]', 'ana');
          await p.type('input[name=password]', 'a long password');
          await p.click('button[type=submit]');
          await p.waitForSelector('#journey-grid', {timeout: 15000});
          assert.equal(await p.$('header.top nav a[href="/config"]'), null);
          const status = await p.evaluate(async () => (await fetch('/api/v1/config')).status);
          assert.equal(status, 403);
          await openView(p, `${hub.url}/config`);
          assert.match(await p.$eval('#content .error', (e) => e.textContent), /admin only/);
        } finally {
          await ctx.close();
        }
        assert.deepEqual(errors, []);
      });
});

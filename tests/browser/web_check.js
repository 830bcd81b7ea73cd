// The web pages served by signaald, in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core):
//
//   node web_check.js CONFIG.json ARTEFACT_DIR
//
// CONFIG: {"gent": URL, "hub": URL, "veldwerker": TOKEN, "coordinator":
// TOKEN (gent), "hub_coordinator": TOKEN (association)}.
//
// 1. the capture form on a phone-sized screen: a form without a theme is
//    refused in the page; a filled-in form is stored and confirmed; the
//    id it shows is printed ("stored ID") for the shell to look up in
//    the store;
// 2. the dashboard: a chart per theme drawn with bars;
// 3. the federation view at the association: a row per node, each
//    state said in words beside its colour; axe-core, and the keyboard
//    alone (keyboard.js: every control in order with its focus visible,
//    no trap, the skip link) on a wide screen and on a 360 px phone,
//    where the table scrolls in its own box with the arrow keys.
// Every page: no console errors (a Content-Security-Policy violation is
// one), nothing fetched from anywhere but the node. Screenshots go to
// ARTEFACT_DIR. TAP-style lines; exit non-zero if a check failed.
'use strict';

const fs = require('fs');
const path = require('path');
const { check, failures, launch, axe, wait } = require('./tap');
const { journey, tabTo, until } = require('./keyboard');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const outDir = path.resolve(process.argv[3]);

// A page that records its problems and foreign requests.
async function open(browser, base, viewport) {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.method()} ${r.url()} ${r.failure() ? r.failure().errorText : ''}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(base + '/')) foreign.push(r.url());
  });
  return { ctx, page, problems, foreign };
}

function clean(name, p) {
  check(`${name}: no console or page errors`, p.problems.length === 0, p.problems.join('; '));
  check(`${name}: nothing fetched from elsewhere`, p.foreign.length === 0, p.foreign.join(', '));
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  try {
    // --- 1. the capture form, on a phone --------------------------------
    {
      const p = await open(browser, cfg.gent, { width: 390, height: 844 });
      const page = p.page;
      await page.goto(`${cfg.gent}/invoer#token=${cfg.veldwerker}`);
      await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', { timeout: wait(10000) });
      check('capture: the token was taken from the address',
        !(await page.evaluate(() => window.location.hash.includes('token'))));
      const org = await page.inputValue('#organisatie');
      check("capture: the token's organisation is filled in", org === 'CLB Noord (fictief)', org);
      // Without a theme: refused in the page, nothing sent.
      await page.check('input[name="leeftijd"][value="12-17"]');
      await page.selectOption('#sector', 'onderwijs');
      await page.click('#bewaar');
      await page.waitForSelector('#fouten:not([hidden])', { timeout: wait(5000) });
      const err = await page.textContent('#fouten');
      check('capture: a form without a theme is refused with a Dutch message',
        /thema/i.test(err), err);
      await page.screenshot({ path: path.join(outDir, 'invoer-fout.png'), fullPage: true });
      // Filled in and sent.
      await page.check('input[name="thema"][value="mentaal"]');
      await page.check('input[name="thema"][value="onderwijs"]');
      await page.check('input[name="doelgroep"][value="student"]');
      await page.fill('#aantal_personen', '3');
      await page.check('input[name="ernst"][value="2"]');
      await page.fill('#wijk', 'Wijk Noord (fictief)');
      await page.fill('#omschrijving', 'Wachtlijst van zes maanden bij de jeugd-GGZ (fictief, browsertest)');
      await page.screenshot({ path: path.join(outDir, 'invoer-ingevuld.png'), fullPage: true });
      await page.click('#bewaar');
      await page.waitForSelector('#bevestiging:not([hidden]) #bewaard', { timeout: wait(10000) });
      const text = await page.textContent('#bevestiging');
      const m = /met nummer ([0-9a-f]{32})/.exec(text);
      check('capture: the page confirms what was stored, with its id', !!m, text.slice(0, 200));
      check('capture: the confirmation shows the themes in Dutch',
        /Mentaal welzijn|mentaal/i.test(text) && text.includes('Wijk Noord (fictief)'), text.slice(0, 300));
      if (m) console.log(`# stored ${m[1]}`);
      await page.waitForSelector('#recent:not([hidden]) li', { timeout: wait(5000) });
      check('capture: the recent signals list shows it',
        (await page.$$('#recente-lijst li')).length >= 1);
      await page.screenshot({ path: path.join(outDir, 'invoer-bewaard.png'), fullPage: true });
      check("capture: the token's person is the reporter, not to be changed",
        (await page.inputValue('#melder')) === 'mw-12' && await page.$eval('#melder', (m) => m.readOnly));
      clean('capture', p);
      await p.ctx.close();
    }

    // --- 1b. a field worker's token without a person names no reporter ---
    {
      const p = await open(browser, cfg.gent, { width: 390, height: 844 });
      const page = p.page;
      await page.goto(`${cfg.gent}/invoer#token=${cfg.veldwerker_zonder_persoon}`);
      await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', { timeout: wait(10000) });
      check('capture, token without a person: no reporter field to fill in',
        await page.$eval('#veld-melder', (v) => v.hidden && v.offsetParent === null));
      await p.ctx.close();
    }

    // --- 2. the dashboard -------------------------------------------------
    {
      const p = await open(browser, cfg.gent, { width: 1280, height: 900 });
      const page = p.page;
      await page.goto(`${cfg.gent}/dashboard#token=${cfg.coordinator}`);
      // gent's own signals: bars in charts of their own (the federation's
      // ranking and charts are checked in dashboard_check.js)
      await page.waitForSelector('#grafieken svg.grafiek.lokaal rect.staaf', { timeout: wait(10000) });
      const charts = await page.$$eval('#grafieken svg.grafiek.lokaal', (svgs) => svgs.map((s) => {
        const r = s.getBoundingClientRect();
        return {
          w: Math.round(r.width),
          h: Math.round(r.height),
          bars: s.querySelectorAll('rect.staaf').length,
          tall: [...s.querySelectorAll('rect.staaf')].filter((b) => Number(b.getAttribute('height')) > 0).length,
        };
      }));
      check('dashboard: charts are drawn', charts.length >= 1, `found ${charts.length}`);
      charts.forEach((c, i) => {
        check(`dashboard: chart ${i + 1} is visible with bars for its months`,
          c.w > 200 && c.h > 100 && c.bars >= 6 && c.tall >= 1, JSON.stringify(c));
      });
      const png = await page.screenshot({ path: path.join(outDir, 'dashboard.png'), fullPage: true });
      check('dashboard: a screenshot', png.length > 10000, `${png.length} bytes`);
      clean('dashboard', p);
      await p.ctx.close();
    }

    // --- 3. the federation view at the association -----------------------
    {
      const p = await open(browser, cfg.hub, { width: 1280, height: 900 });
      const page = p.page;
      await page.goto(`${cfg.hub}/federatie#token=${cfg.hub_coordinator}`);
      await page.waitForSelector('#knooppunten tbody tr[data-knooppunt]', { timeout: wait(10000) });
      const rows = await page.$$eval('#knooppunten tbody tr[data-knooppunt]',
        (trs) => trs.map((t) => ({ id: t.getAttribute('data-knooppunt'), cls: t.className, text: t.textContent })));
      const ids = rows.map((r) => r.id).sort();
      check('federation: a row per node', JSON.stringify(ids) === JSON.stringify(cfg.nodes.slice().sort()),
        JSON.stringify(ids));
      check('federation: every node is seen', rows.every((r) => !/nooit/.test(r.text)),
        JSON.stringify(rows.map((r) => r.text)));
      const seen = await page.$$eval('#knooppunten tbody tr[data-knooppunt] td:nth-of-type(2)', (tds) => tds.map((t) => t.textContent));
      check('federation: "last seen" gives the exact time as text, not only in a tooltip',
        seen.length > 0 && seen.every((t) => /\(\d{1,2} \S+ \d{4},? \d{1,2}:\d{2}\)|\(\d{1,2}[-/]\d{1,2}[-/]\d{4}/.test(t)), JSON.stringify(seen));
      check('federation: the summary tiles', (await page.$$('#samenvatting li')).length >= 1);
      const heading = await page.textContent('#federatienaam');
      check('federation: the title does not say "federatie federatie"',
        /Knooppunten/.test(heading) && !/federatie\s+federatie/i.test(heading), heading);
      const words = await page.$$eval('#knooppunten tbody tr[data-knooppunt] th', (ths) => ths.map((t) => ({
        word: (t.querySelector('.staatwoord') || {}).textContent || '',
        dot: (t.querySelector('.stip') || { getAttribute: () => null }).getAttribute('aria-hidden') })));
      check('federation: every state in words beside its coloured dot (never colour alone)',
        words.length > 0 && words.every((w) => /· (in orde|achter|probleem|geen status)$/.test(w.word) && w.dot === 'true'),
        JSON.stringify(words));
      await page.screenshot({ path: path.join(outDir, 'federatie.png'), fullPage: true });
      await axe(page, 'federation view with its nodes');
      await journey(page, 'federation view (keyboard)', { skipTo: '#overzicht' });
      clean('federation', p);
      await p.ctx.close();
    }

    // --- 4. the federation view on a 360 px phone, keyboard only -----------
    {
      const p = await open(browser, cfg.hub, { width: 360, height: 740 });
      const page = p.page;
      await page.goto(`${cfg.hub}/federatie#token=${cfg.hub_coordinator}`);
      await page.waitForSelector('#knooppunten tbody tr[data-knooppunt]', { timeout: wait(10000) });
      check('federation, 360 px: no sideways scrolling (the table scrolls in its own box)',
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
      await axe(page, 'federation view, 360 px');
      await journey(page, 'federation view, 360 px (keyboard)', { skipTo: '#overzicht' });
      await tabTo(page, '.tabel-houder[tabindex="0"]');
      check('federation, 360 px: the wide table is a named Tab stop',
        /schuift opzij/.test(await page.evaluate(() => document.activeElement.getAttribute('aria-label') || '')));
      const x0 = await page.evaluate(() => document.activeElement.scrollLeft);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await until(page, (x) => document.activeElement.scrollLeft > x, x0, 'the table to scroll');
      check('federation, 360 px: the arrow keys scroll the table', true);
      await page.screenshot({ path: path.join(outDir, 'federatie-telefoon.png'), fullPage: true });
      clean('federation on a phone', p);
      await p.ctx.close();
    }
  } catch (e) {
    check('the browser run', false, e.message.split('\n')[0]);
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
})();

// The dashboard against `signaalctl trends`, in headless Chromium:
//
//   node dashboard_check.js CONFIG.json ARTEFACT_DIR
//
// CONFIG: {"hub": URL, "gent": URL, "hub_coordinator": TOKEN,
// "coordinator": TOKEN (gent), "window": "FIRST LAST" (the CLI's default
// window), "themes": codes in the CLI's order, "youth": theme/age in the
// CLI's youth order, "local_rise": the themes the CLI calls a local rise}.
//
// At the association (no signals of its own): the default window is the
// CLI's and the date field shows its end; the ranking is the CLI's, in
// the theme and the youth view (ranks from 1); theme x age names carry
// the age band; every chart has one scale (one column of ticks), month
// labels that do not overlap, a trend line whose direction is the one
// the caption states; a rise from one municipality is said and drawn as
// such; no chart of local signals. At Gent: its own signals in charts of
// their own. Screenshots go to ARTEFACT_DIR; TAP-style lines.
'use strict';

const fs = require('fs');
const path = require('path');
const { check, failures, launch, axe } = require('./tap');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const outDir = path.resolve(process.argv[3]);
const MONTHS = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
const label = (p) => `${MONTHS[Number(p.slice(5, 7)) - 1]} ${p.slice(0, 4)}`;

async function open(browser, base) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await ctx.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(base + '/')) foreign.push(r.url());
  });
  return { ctx, page, problems, foreign };
}

// What every chart on the page looks like, from the rendered SVG.
async function charts(page) {
  return page.$$eval('#grafieken figure', (figs) => figs.map((f) => {
    const s = f.querySelector('svg.trend');
    const base = s.querySelector('line[stroke="#888888"]');
    const fit = s.querySelector('line.fit');
    // tick labels: the texts anchored at their end, left of the plot
    const ticks = [...s.querySelectorAll('text[text-anchor="end"]:not(.xlabel)')];
    const boxes = [...s.querySelectorAll('text.xlabel')].map((t) => {
      const b = t.getBBox();
      return { t: t.textContent, x0: b.x, x1: b.x + b.width };
    }).sort((a, b) => a.x0 - b.x0);
    const overlaps = [];
    for (let k = 1; k < boxes.length; k++) {
      if (boxes[k].x0 < boxes[k - 1].x1 + 2) overlaps.push(`${boxes[k - 1].t}|${boxes[k].t}`);
    }
    let fitSign = null;
    if (fit && base) {
      const y1 = Number(fit.getAttribute('y1'));
      const rel = (y1 - Number(fit.getAttribute('y2'))) / (Number(base.getAttribute('y1')) - y1);
      fitSign = Math.abs(rel) < 0.05 ? 0 : Math.sign(rel);
    }
    const cap = f.querySelector('figcaption').textContent;
    const m = /\(([+−]?\d+)%/.exec(cap.slice(cap.indexOf('stippellijn')));
    const capSign = !m ? null : m[1].startsWith('+') ? 1 : m[1].startsWith('−') ? -1 : 0;
    return {
      thema: f.getAttribute('data-thema'),
      tickColumns: new Set(ticks.map((t) => t.getAttribute('x'))).size,
      ticks: ticks.length,
      labels: boxes.length,
      overlaps,
      fitSign,
      capSign,
      local: /Lokale stijging/.test(cap) && !!s.querySelector('polyline.gemeente'),
      localCharts: f.querySelectorAll('svg.lokaal').length,
      caption: cap.slice(0, 160),
    };
  }));
}

// Wait (at most 10 s) until the ranking's age bands satisfy ok: polled
// from here, since the page's CSP forbids the eval of waitForFunction.
async function until(page, ok) {
  for (let i = 0; i < 100; i++) {
    const ks = await page.$$eval('#rangschikking tbody tr[data-rang]', (trs) => trs.map((t) => t.getAttribute('data-uitsplitsing') || ''));
    if (ok(ks)) return;
    await page.waitForTimeout(100);
  }
  throw new Error('the ranking did not change');
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  const [first, last] = cfg.window.split(' ');
  try {
    // --- the association -------------------------------------------------
    {
      const p = await open(browser, cfg.hub);
      const page = p.page;
      await page.goto(`${cfg.hub}/dashboard#token=${cfg.hub_coordinator}`);
      await page.waitForSelector('#rangschikking tbody tr[data-rang]', { timeout: 15000 });
      await page.waitForSelector('#grafieken svg.trend', { timeout: 5000 });
      const tot = await page.inputValue('#tot');
      check(`the default window ends where the CLI's does (${last}), shown in the date field`, tot === last, tot);
      const hint = await page.textContent('#venster');
      check(`... and starts where the CLI's does (${first})`, hint.includes(`Van ${label(first)} tot en met ${label(last)}`), hint);
      check('... over 24 months', (await page.inputValue('#maanden')) === '24');
      const rows = await page.$$eval('#rangschikking tbody tr[data-rang]', (trs) => trs.map((t) => ({
        thema: t.getAttribute('data-thema'), rang: Number(t.getAttribute('data-rang')),
        local: !!t.querySelector('.lokaal-label'), text: t.textContent })));
      check('the ranking is the CLI\'s', rows.map((r) => r.thema).join(' ') === cfg.themes,
        `${rows.map((r) => r.thema).join(' ')} vs ${cfg.themes}`);
      check('ranks 1, 2, 3, ...', rows.every((r, i) => r.rang === i + 1), rows.map((r) => r.rang).join(','));
      check('the local rise is marked in the ranking',
        rows.filter((r) => r.local).map((r) => r.thema).join(' ') === cfg.local_rise, JSON.stringify(rows.filter((r) => r.local)));
      check('federation totals: "41 (40–42), 10 van 10 gemeenten" in the ranking',
        rows.every((r) => /\d \(\d[\d.]*–\d[\d.]*\), 10 van 10 gemeenten/.test(r.text)), rows.map((r) => r.text).join(' | '));
      check('... and how to read them above it', /Federatietotalen \(beveiligde optelling\) voor 24 van de 24 maanden/.test(hint), hint);
      const cs = await charts(page);
      check('a chart per leading theme, in rank order', cs.length === Math.min(6, rows.length) &&
        cs.every((c, i) => c.thema === rows[i].thema), cs.map((c) => c.thema).join(' '));
      cs.forEach((c) => {
        check(`${c.thema}: one scale (one column of ${c.ticks} ticks)`, c.tickColumns === 1 && c.ticks >= 3, JSON.stringify(c));
        check(`${c.thema}: ${c.labels} month labels, none overlapping`, c.labels >= 2 && c.overlaps.length === 0, c.overlaps.join(', '));
        check(`${c.thema}: the trend line goes the way the caption says`, c.fitSign !== null && c.fitSign === c.capSign,
          `line ${c.fitSign}, caption ${c.capSign}: ${c.caption}`);
        check(`${c.thema}: a local rise said and drawn only where the CLI says so`,
          c.local === (cfg.local_rise.split(' ').indexOf(c.thema) >= 0), c.caption);
        check(`${c.thema}: no chart of local signals at the association`, c.localCharts === 0);
      });
      await page.screenshot({ path: path.join(outDir, 'dashboard-koepel.png'), fullPage: true });
      await axe(page, 'dashboard at the association, ranking and charts');

      // the youth view
      await page.selectOption('#niveau', 'jongeren');
      await until(page, (ks) => ks.length > 0 && ks.every((k) => /^(12-17|18-24)$/.test(k)));
      const youth = await page.$$eval('#rangschikking tbody tr[data-rang]', (trs) => trs.map((t) => ({
        key: `${t.getAttribute('data-thema')}/${t.getAttribute('data-uitsplitsing')}`, rang: Number(t.getAttribute('data-rang')) })));
      check('youth: the CLI\'s order', youth.map((r) => r.key).join(' ') === cfg.youth, `${youth.map((r) => r.key).join(' ')} vs ${cfg.youth}`);
      check('youth: ranks from 1', youth.every((r, i) => r.rang === i + 1), youth.map((r) => r.rang).join(','));
      check('youth: the choice is in the address', /niveau=jongeren/.test(page.url()), page.url());
      await page.screenshot({ path: path.join(outDir, 'dashboard-jongeren.png'), fullPage: true });

      // theme x age band: every name in full, with its age band
      await page.selectOption('#niveau', 'leeftijd');
      await until(page, (ks) => ks.length > 0 && ks.some((k) => !/^(12-17|18-24)$/.test(k)));
      const names = await page.$$eval('#rangschikking tbody tr[data-rang] th', (ths) => ths.map((t) => t.textContent));
      check('theme x age: names with their age band, all distinct',
        names.length >= 5 && names.every((n) => / — (.*jaar|Onbekend)/.test(n)) && new Set(names).size === names.length, names.join(' | '));
      check('the association: no console or page errors', p.problems.length === 0, p.problems.join('; '));
      check('the association: nothing fetched from elsewhere', p.foreign.length === 0, p.foreign.join(', '));
      await p.ctx.close();
    }

    // --- Gent: its own signals, in charts of their own --------------------
    {
      const p = await open(browser, cfg.gent);
      const page = p.page;
      await page.goto(`${cfg.gent}/dashboard#token=${cfg.coordinator}`);
      await page.waitForSelector('#grafieken svg.lokaal rect.staaf', { timeout: 15000 });
      const cs = await charts(page);
      check('Gent: charts of its own signals beside the federation\'s', cs.some((c) => c.localCharts === 1), JSON.stringify(cs.map((c) => c.localCharts)));
      const own = await page.$$eval('#grafieken svg.lokaal', (ss) => ss.map((s) =>
        new Set([...s.querySelectorAll('text[text-anchor="end"]:not(.xlabel)')].map((t) => t.getAttribute('x'))).size));
      check('Gent: each local chart has its own single scale', own.every((n) => n === 1), own.join(','));
      check('Gent: the date field shows the window\'s end', /^\d{4}-\d{2}$/.test(await page.inputValue('#tot')));
      await page.screenshot({ path: path.join(outDir, 'dashboard-gent.png'), fullPage: true });
      await axe(page, 'dashboard at Gent, with its own signals');
      check('Gent: no console or page errors', p.problems.length === 0, p.problems.join('; '));
      await p.ctx.close();
    }
  } catch (e) {
    check('the browser run', false, e.message.split('\n')[0]);
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
})();

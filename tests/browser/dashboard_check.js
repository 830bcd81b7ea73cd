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
// their own. With the keyboard alone at Gent (1280 and 360 px wide):
// every control reached in order with its focus visible, no trap (see
// keyboard.js, which must also fail on planted faults), the choices
// operated, and dossier "dossier" moved to the next phase: refused
// without a reason, done with one ("reason", which the history shows).
// Screenshots go to ARTEFACT_DIR; TAP-style lines.
'use strict';

const fs = require('fs');
const path = require('path');
const { check, failures, launch, axe, wait } = require('./tap');
const { journey, tabTo, choose, until: pageUntil } = require('./keyboard');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const outDir = path.resolve(process.argv[3]);
const MONTHS = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];
const SLOW = 30000; // a ranking's answer on a loaded machine, at most
const label = (p) => `${MONTHS[Number(p.slice(5, 7)) - 1]} ${p.slice(0, 4)}`;

async function open(browser, base, viewport = { width: 1280, height: 900 }) {
  const ctx = await browser.newContext({ viewport });
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

// Wait (at most 30 s: the theme x age ranking of ten municipalities can
// take seconds on a loaded machine) until the ranking's age bands
// satisfy ok: polled from here, since the page's CSP forbids the eval of
// waitForFunction.
async function until(page, ok) {
  for (let i = 0; i < 300; i++) {
    const ks = await page.$$eval('#rangschikking tbody tr[data-rang]', (trs) => trs.map((t) => t.getAttribute('data-uitsplitsing') || ''));
    if (ok(ks)) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`the ranking did not change: ${(await page.$$eval('#rangschikking tbody tr[data-rang]', (trs) => trs.map((t) => t.getAttribute('data-uitsplitsing') || ''))).join(',')}`);
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
      await page.waitForSelector('#rangschikking tbody tr[data-rang]', { timeout: wait(15000) });
      await page.waitForSelector('#grafieken svg.trend', { timeout: wait(5000) });
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
      const explain = JSON.parse(fs.readFileSync(cfg.explain, 'utf8'));
      const why = await page.$$eval('#rangschikking tbody tr[data-rang] td.uitleg', (tds) => tds.map((t) => t.textContent));
      const differ = why.map((w, i) => (w === explain[i] ? null : `${i + 1}: "${w}" vs "${explain[i]}"`)).filter((x) => x);
      check('every explanation is the CLI\'s, word for word', why.length === explain.length && differ.length === 0,
        differ.slice(0, 2).join('; ') || `${why.length} vs ${explain.length}`);
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

      // theme x target group: the CLI's order
      await page.selectOption('#niveau', 'doelgroep');
      await pageUntil(page, () => /niveau=doelgroep/.test(window.location.search) &&
        document.getElementById('trends').getAttribute('aria-busy') === 'false', null, 'theme x target group', SLOW);
      const groups = await page.$$eval('#rangschikking tbody tr[data-rang]', (trs) => trs.map((t) => ({
        key: `${t.getAttribute('data-thema')}/${t.getAttribute('data-uitsplitsing')}`, rang: Number(t.getAttribute('data-rang')) })));
      check('theme x target group: the CLI\'s order, ranks from 1', groups.map((r) => r.key).join(' ') === cfg.groups &&
        groups.every((r, i) => r.rang === i + 1), `${groups.map((r) => r.key).join(' ')} vs ${cfg.groups}`);

      // theme x age band: every name in full, with its age band
      await page.selectOption('#niveau', 'leeftijd');
      await pageUntil(page, () => /niveau=leeftijd/.test(window.location.search) &&
        document.getElementById('trends').getAttribute('aria-busy') === 'false', null, 'theme x age band', SLOW);
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
      await page.waitForSelector('#grafieken svg.lokaal rect.staaf', { timeout: wait(15000) });
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

    // --- Gent's dashboard with the keyboard alone --------------------------
    {
      const p = await open(browser, cfg.gent);
      const page = p.page;
      const opener = `#dossierlijst button[aria-label="Dossier ${cfg.dossier} openen"]`;
      await page.goto(`${cfg.gent}/dashboard#token=${cfg.coordinator}`);
      await page.waitForSelector('#rangschikking tbody tr[data-rang]', { timeout: wait(15000) });
      await page.waitForSelector(opener, { timeout: wait(10000) });
      await journey(page, 'dashboard (keyboard)', { skipTo: '#trends' });
      // each chart's figures behind a disclosure: what the points'
      // tooltips show on hover, for the keyboard and screen readers
      await tabTo(page, '#grafieken figure:first-of-type details summary');
      await page.keyboard.press('Enter');
      const fig = await page.$eval('#grafieken figure', (f) => ({
        open: f.querySelector('details').open,
        tips: [...f.querySelectorAll('svg.trend circle[stroke="#1f5f8b"] title')].map((t) => t.textContent),
        rows: Object.fromEntries([...f.querySelectorAll('details tbody tr')].map((r) =>
          [r.getAttribute('data-periode'), r.children[1].textContent])),
      }));
      const unmatched = fig.tips.filter((t) => { const m = /^(\d{4}-\d{2}): (.*)$/.exec(t); return !m || fig.rows[m[1]] !== m[2]; });
      check('keyboard: Enter opens a chart\'s figures per month, the same as its points\' tooltips',
        fig.open && fig.tips.length > 0 && unmatched.length === 0, `${fig.tips.length} points; ${unmatched.slice(0, 3).join('; ')}`);
      await axe(page, 'dashboard with a chart\'s figures open');
      // the choices, by typing and arrow keys
      await choose(page, '#niveau', 'jongeren', 'jongeren');
      await pageUntil(page, () => [...document.querySelectorAll('#rangschikking tbody tr[data-rang]')]
        .every((t) => /^(12-17|18-24)$/.test(t.getAttribute('data-uitsplitsing') || '')), null, 'the youth ranking', SLOW);
      check('keyboard: the level is chosen by typing; the ranking follows', /niveau=jongeren/.test(page.url()), page.url());
      await choose(page, '#maanden', '12', '12');
      await pageUntil(page, () => /maanden=12/.test(window.location.search) &&
        document.getElementById('trends').getAttribute('aria-busy') === 'false', null, 'a 12-month window', SLOW);
      check('keyboard: the period is chosen by typing', /maanden=12/.test(page.url()), page.url());
      const tot = await page.inputValue('#tot');
      await tabTo(page, '#tot');
      await page.keyboard.press('ArrowDown');
      await pageUntil(page, (t) => document.getElementById('tot').value !== t && /tot=/.test(window.location.search) &&
        document.getElementById('trends').getAttribute('aria-busy') === 'false', tot, 'another month', SLOW);
      check('keyboard: the arrow keys change the month the window ends in',
        new RegExp(`tot=${await page.inputValue('#tot')}`).test(page.url()), `${tot} -> ${await page.inputValue('#tot')}, ${page.url()}`);
      // a dossier, opened and moved with its reason
      await tabTo(page, opener);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#dossierdetail #d-faseform', { timeout: wait(10000) });
      check('keyboard: Enter opens the dossier and the focus moves to it',
        await page.evaluate(() => document.activeElement.id === 'dossierdetail'));
      await journey(page, 'dashboard with an open dossier (keyboard)');
      const phaseNow = () => page.textContent('#dossierdetail p');
      await tabTo(page, '#d-fase-reden');
      await page.keyboard.press('Enter');
      check('keyboard: no phase move without a reason (the field says it is required)',
        /fase opmerken/.test(await phaseNow()) &&
        (await page.evaluate(() => document.activeElement.id === 'd-fase-reden' && !document.activeElement.validity.valid)),
        await phaseNow());
      await page.keyboard.type('   ');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#dossiermeldingen .melding.fout', { timeout: wait(10000) });
      check('keyboard: nor with spaces only: the page asks for the reason and keeps the phase',
        /reden/.test(await page.textContent('#dossiermeldingen')) && /fase opmerken/.test(await phaseNow()),
        await page.textContent('#dossiermeldingen'));
      await axe(page, 'dashboard, phase move refused');
      await tabTo(page, '#d-fase-reden');
      await page.keyboard.press('Control+A');
      await page.keyboard.type(cfg.reason);
      await tabTo(page, '#d-faseform button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#dossiermeldingen .melding.ok', { timeout: wait(10000) });
      const note = await page.evaluate(() => ({ text: document.activeElement.textContent, role: document.activeElement.getAttribute('role') }));
      check('keyboard: with a reason the dossier moves; the focus is on the notice that says so',
        /nu in de fase verzamelen/.test(note.text) && note.role === 'status', JSON.stringify(note));
      check('keyboard: the history shows the move with its reason',
        (await page.textContent('#dossierdetail ol')).includes(`opmerken → verzamelen door an (Stad Gent (test)): ${cfg.reason}`),
        await page.textContent('#dossierdetail ol'));
      await pageUntil(page, (n) => /verzamelen/.test(document.querySelector(`#dossierlijst button[aria-label="Dossier ${n} openen"]`)
        .closest('tr').textContent), cfg.dossier, 'the list in the new phase');
      check('keyboard: the list shows the new phase', true);
      await page.screenshot({ path: path.join(outDir, 'dashboard-fase.png'), fullPage: true });
      await axe(page, 'dashboard after a phase move');
      check('keyboard at Gent: no console or page errors', p.problems.length === 0, p.problems.join('; '));
      await p.ctx.close();
    }

    // --- on a 360 px phone ---------------------------------------------------
    {
      const p = await open(browser, cfg.gent, { width: 360, height: 740 });
      const page = p.page;
      await page.goto(`${cfg.gent}/dashboard#token=${cfg.coordinator}`);
      await page.waitForSelector('#rangschikking tbody tr[data-rang]', { timeout: wait(15000) });
      await page.waitForSelector('#dossierlijst button', { timeout: wait(10000) });
      const wide = await page.$$eval('body *', (ns) => ns.filter((n) => n.getBoundingClientRect().right > window.innerWidth &&
        !n.closest('.tabel-houder')).map((n) => `${n.tagName}#${n.id}`).slice(0, 5));
      check('dashboard, 360 px: no sideways scrolling (wide tables scroll in their own box)',
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), wide.join(', '));
      const boxes = await page.$$eval('.tabel-houder', (bs) => bs.filter((b) => b.scrollWidth > b.clientWidth + 1)
        .map((b) => ({ tab: b.getAttribute('tabindex'), name: b.getAttribute('aria-label') })));
      check('dashboard, 360 px: a table wider than the screen is a named Tab stop (the arrow keys scroll it)',
        boxes.length > 0 && boxes.every((b) => b.tab === '0' && /schuift opzij/.test(b.name || '')), JSON.stringify(boxes));
      await journey(page, 'dashboard, 360 px (keyboard)', { skipTo: '#trends' });
      await tabTo(page, '.tabel-houder[tabindex="0"]');
      const x0 = await page.evaluate(() => document.activeElement.scrollLeft);
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('ArrowRight');
      await pageUntil(page, (x) => document.activeElement.scrollLeft > x, x0, 'the table to scroll');
      check('dashboard, 360 px: the arrow keys scroll the focused table', true);
      await page.screenshot({ path: path.join(outDir, 'dashboard-telefoon.png'), fullPage: true });
      await axe(page, 'dashboard, 360 px');
      // The checker can fail: a control without a focus ring and a
      // control that keeps the Tab key.
      await page.evaluate(() => {
        const m = document.getElementById('maanden');
        m.style.outline = 'none';
        m.style.boxShadow = 'none';
        document.getElementById('niveau').addEventListener('keydown', (e) => { if (e.key === 'Tab') e.preventDefault(); });
      });
      const verdicts = {};
      await journey(page, 'planted', { check: (name, ok, detail) => { verdicts[name.replace(/^planted: /, '')] = { ok, detail }; } });
      const bad = (k) => Object.keys(verdicts).filter((n) => n.startsWith(k)).some((n) => !verdicts[n].ok);
      check('the keyboard check finds a planted invisible focus and a planted keyboard trap',
        bad('every Tab stop shows its focus') && bad('Tab leaves the page'), JSON.stringify(verdicts).slice(0, 400));
      check('on the phone: no console or page errors', p.problems.length === 0, p.problems.join('; '));
      await p.ctx.close();
    }
  } catch (e) {
    check('the browser run', false, e.message.split('\n')[0]);
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
})();

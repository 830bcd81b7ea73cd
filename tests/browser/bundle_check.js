// Renders a signal bundle (HTML file given as argv[2]) in headless
// Chromium (Debian's /usr/bin/chromium through playwright-core) and checks
// what a reader depends on: no console or page errors, nothing fetched
// from anywhere else, every chart drawn at its size with a visible line,
// and a print layout that breaks chapters onto pages. Screenshots and a
// PDF go to the artefacts directory (argv[3]).
//
// Prints TAP-style lines ("ok - ..." / "not ok - ...") for tests/run.sh;
// exits non-zero if any check failed.
'use strict';

const fs = require('fs');
const path = require('path');
const { check, failures, launch, axe } = require('./tap');

const file = path.resolve(process.argv[2]);
const outDir = path.resolve(process.argv[3]);
// chart sizes from core/bundle.h
const LEAD = { w: 720, h: 260 };
const YOUTH = { w: 720, h: 220 };

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = [];
    const requests = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
    page.on('requestfailed', (r) => problems.push(`requestfailed: ${r.url()}`));
    page.on('request', (r) => requests.push(r.url()));

    await page.goto('file://' + file, { waitUntil: 'load' });
    check('the bundle loads without console or page errors', problems.length === 0, problems.join('; '));
    const foreign = requests.filter((u) => u !== 'file://' + file);
    check('self-contained: nothing else is fetched', foreign.length === 0, foreign.join(', '));
    check('Dutch page', (await page.getAttribute('html', 'lang')) === 'nl');
    const title = await page.title();
    check('titled as a signal bundle', title.startsWith('Signalenbundel'), title);

    const ids = ['kort', 'prioriteiten', 'jongeren', 'gemeenten', 'structureel', 'methode'];
    for (const id of ids) {
      const visible = await page.isVisible('#' + id);
      check(`chapter #${id} is shown`, visible);
    }

    const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => {
      const r = s.getBoundingClientRect();
      const line = s.querySelector('polyline');
      const lb = line ? line.getBBox() : null;
      return {
        w: Number(s.getAttribute('width')),
        h: Number(s.getAttribute('height')),
        rw: Math.round(r.width),
        rh: Math.round(r.height),
        points: line ? line.getAttribute('points').trim().split(/\s+/).length : 0,
        lineW: lb ? lb.width : 0,
        circles: s.querySelectorAll('circle').length,
        bands: s.querySelectorAll('path.band').length,
        title: (s.querySelector('title') || {}).textContent || '',
        youth: !!s.closest('#jongeren'),
      };
    }));
    check('charts are present', charts.length >= 2, `found ${charts.length}`);
    const lead = charts.filter((c) => !c.youth);
    const youth = charts.filter((c) => c.youth);
    check('a chart per leading theme', lead.length >= 1, `found ${lead.length}`);
    check('charts in the youth chapter', youth.length >= 1, `found ${youth.length}`);
    charts.forEach((c, i) => {
      const want = c.youth ? YOUTH : LEAD;
      check(`chart ${i + 1} (${c.title}) has the expected size`,
        c.w === want.w && c.h === want.h && c.rw === want.w && c.rh === want.h,
        `attributes ${c.w}x${c.h}, drawn ${c.rw}x${c.rh}, want ${want.w}x${want.h}`);
      check(`chart ${i + 1} draws a line through its periods`,
        c.points >= 2 && c.lineW > 100 && c.circles >= c.points, JSON.stringify(c));
    });
    check('ranges are drawn as bands', charts.some((c) => c.bands > 0));

    // Month labels on the x axis: their rendered boxes never overlap.
    const overlaps = await page.$$eval('svg.chart', (svgs) => svgs.map((s, i) => {
      const boxes = [...s.querySelectorAll('text.xlabel')].map((t) => {
        const b = t.getBBox();
        return { t: t.textContent, x0: b.x, x1: b.x + b.width };
      }).sort((a, b) => a.x0 - b.x0);
      const bad = [];
      for (let k = 1; k < boxes.length; k++) {
        if (boxes[k].x0 < boxes[k - 1].x1 + 2) bad.push(`${boxes[k - 1].t}|${boxes[k].t}`);
      }
      const outside = boxes.filter((b) => b.x0 < 0 || b.x1 > Number(s.getAttribute('width')));
      return { i, n: boxes.length, bad, outside: outside.length };
    }));
    overlaps.forEach((o) => check(`chart ${o.i + 1}: ${o.n} month labels, none overlapping or outside`,
      o.n >= 2 && o.bad.length === 0 && o.outside === 0, JSON.stringify(o)));

    // The municipalities side by side fit on the screen (no cut-off
    // columns, no scrolling needed at 1280 px).
    const matrix = await page.$eval('table.matrix', (t) => ({
      table: Math.ceil(t.getBoundingClientRect().width),
      box: Math.floor(t.parentElement.getBoundingClientRect().width),
      scroll: t.parentElement.scrollWidth - t.parentElement.clientWidth,
    }));
    check('the municipalities table fits on the screen', matrix.table <= matrix.box && matrix.scroll <= 0,
      JSON.stringify(matrix));

    // Every leading theme's text and its chart agree: the trend card's
    // sign is the dashed trend line's direction; a one-town rise is
    // marked and drawn with that town's own line; target groups shown.
    const chapters = await page.$$eval('section.chapter.theme', (ss) => ss.map((s) => {
      const card = [...s.querySelectorAll('.card')].find((c) => c.querySelector('.label').textContent === 'Trend');
      const v = card ? card.querySelector('.value').textContent : '';
      const fit = s.querySelector('line.fit');
      return {
        id: s.id,
        text: v,
        sign: /^\+(?!0%)/.test(v) ? 1 : /^\u2212/.test(v) ? -1 : 0,
        // the trend line's change from its start, relative to its
        // height above the zero line (the grey axis line): under 5% is
        // "no clear direction", as in the text
        fit: (() => {
          if (!fit) return null;
          const base = Number(s.querySelector('svg.chart line[stroke="#888888"]').getAttribute('y1'));
          const y1 = Number(fit.getAttribute('y1'));
          const rel = (y1 - Number(fit.getAttribute('y2'))) / (base - y1);
          return Math.abs(rel) < 0.05 ? 0 : Math.sign(rel);
        })(),
        local: !!s.querySelector('.kicker .local'),
        series: s.querySelectorAll('svg.chart polyline').length,
        targets: [...s.querySelectorAll('.breakdown h3')].some((h) => h.textContent === 'Doelgroepen'),
      };
    }));
    chapters.forEach((c) => {
      check(`${c.id}: the text's trend (${c.text}) has the trend line's direction`, c.fit !== null && c.sign === c.fit,
        JSON.stringify(c));
      check(`${c.id}: target groups shown`, c.targets);
    });
    const energie = chapters.find((c) => c.id === 'thema-energie');
    check('a rise in one town is marked as local, with its own line',
      energie && energie.local && energie.series >= 2, JSON.stringify(energie));
    check('the other leading themes are not marked local',
      chapters.filter((c) => c.id !== 'thema-energie' && c.local).length === 0, JSON.stringify(chapters));
    const body = await page.textContent('body');
    check('no "jaar jaar"', !/jaar\s+jaar/.test(body));
    await axe(page, 'the signal bundle');

    // Screenshots: the whole page, and each chart, whose pixels must not
    // be blank (the series colour must show up).
    await page.screenshot({ path: path.join(outDir, 'bundle-page.png'), fullPage: true });
    const handles = await page.$$('svg.chart');
    for (let i = 0; i < handles.length; i++) {
      await handles[i].scrollIntoViewIfNeeded();
      const png = await handles[i].screenshot({ path: path.join(outDir, `chart-${i + 1}.png`) });
      const stats = await page.evaluate(async (b64) => {
        const img = new Image();
        img.src = 'data:image/png;base64,' + b64;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const ctx = c.getContext('2d');
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let ink = 0;
        let series = 0;
        for (let p = 0; p < d.length; p += 4) {
          const [r, g, bl] = [d[p], d[p + 1], d[p + 2]];
          if (r < 235 || g < 235 || bl < 235) ink++;
          // the line colours: blue #1f5f8b, warm #b5562b
          if ((Math.abs(r - 31) < 40 && Math.abs(g - 95) < 40 && Math.abs(bl - 139) < 40) ||
              (Math.abs(r - 181) < 40 && Math.abs(g - 86) < 40 && Math.abs(bl - 43) < 40)) series++;
        }
        return { w: img.width, h: img.height, ink, series };
      }, png.toString('base64'));
      check(`chart ${i + 1} screenshot is ${stats.w}x${stats.h} and not blank`,
        stats.series > 300 && stats.ink > 2000, JSON.stringify(stats));
    }

    // Print: chapters start on a new page; the PDF has several pages.
    await page.emulateMedia({ media: 'print' });
    const breaks = await page.$$eval('section.chapter', (ss) =>
      ss.map((s) => getComputedStyle(s).breakBefore));
    check('print: chapters start on a new page',
      breaks.filter((b) => b === 'page').length >= breaks.length - 1, breaks.join(','));
    // ... and the municipalities table fits the A4 page's width too
    await page.setViewportSize({ width: 794, height: 1123 });
    const printed = await page.$eval('table.matrix', (t) => ({
      table: Math.ceil(t.getBoundingClientRect().width),
      box: Math.floor(t.parentElement.getBoundingClientRect().width),
      page: document.documentElement.clientWidth,
    }));
    check('print: the municipalities table fits the A4 width', printed.table <= printed.box && printed.table <= printed.page,
      JSON.stringify(printed));
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    fs.writeFileSync(path.join(outDir, 'bundle.pdf'), pdf);
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    check('print: a PDF of several A4 pages', pages >= 6, `${pages} pages`);
    check('no errors while printing', problems.length === 0, problems.join('; '));
  } finally {
    await browser.close();
  }
  process.exit(failures() === 0 ? 0 : 1);
})().catch((e) => {
  console.log(`not ok - the browser test ran: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});

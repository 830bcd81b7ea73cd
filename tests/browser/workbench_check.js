// The coordinator's story in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), driven with the keyboard:
//
//   node workbench_check.js CONFIG.json ARTEFACT_DIR
//
// CONFIG: {"node": URL, "veldwerker": TOKEN, "coordinator": TOKEN,
// "other": another organisation's signal, not in a dossier: {id, month,
// thema, leeftijd, doelgroep, sector, organisatie, count: how many
// signals match all of these in the store}}.
//
// 1. a field worker captures a signal on a 360 px wide phone: Tab,
//    Space, typing and Enter only; the page must not scroll sideways;
// 2. a coordinator finds it on /signalen (free text and theme), opens
//    it, selects it and makes a dossier of it;
// 3. in the dossier: phases with reasons (rapporteren is refused until
//    the four criteria are ticked), criteria, an action and its result,
//    the feedback phase, feedback — all with the keyboard;
// 4. the field worker sees the feedback in their own list;
// 5. the other filters (month, theme, age band, target group, sector,
//    organisation, status together) find another organisation's signal,
//    which is linked to the existing dossier and unlinked again there;
//    the dashboard and the federation view have their own keyboard
//    checks (dashboard_check.js, web_check.js), the start page and the
//    dossier list theirs here (keyboard.js's journey).
// axe-core checks every page and state on the way (tap.js). Prints
// "# stored ID" and "# dossier N" for the shell to check the store.
// Screenshots go to ARTEFACT_DIR. TAP-style lines; exit non-zero if a
// check failed.
'use strict';

const fs = require('fs');
const path = require('path');
const { check, failures, launch, axe, axeViolations, wait } = require('./tap');
const { tabTo, radio, typeInto, choose, chooseValue, until, journey } = require('./keyboard');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const outDir = path.resolve(process.argv[3]);
const base = cfg.node;
const WAIT = { timeout: wait(10000) }; // as keyboard.js's until()
// A word no generated signal has, to find ours among a year of others.
const WORD = `browsertoets${process.pid}`;

async function open(browser, viewport) {
  const ctx = await browser.newContext({ viewport, locale: 'nl-BE', timezoneId: 'Europe/Brussels' });
  const page = await ctx.newPage();
  const problems = [];
  const foreign = [];
  page.on('console', (m) => {
    if (m.type() !== 'error' && m.type() !== 'warning') return;
    // The refusal this test provokes on purpose (409) is logged by the
    // browser as a failed resource; nothing else may be.
    if (/status of 409/.test(m.text())) return;
    problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e}`));
  page.on('request', (r) => {
    if (!r.url().startsWith(base + '/')) foreign.push(r.url());
  });
  return { ctx, page, problems, foreign };
}

function clean(name, p) {
  check(`${name}: no console or page errors`, p.problems.length === 0, p.problems.join('; '));
  check(`${name}: nothing fetched from elsewhere`, p.foreign.length === 0, p.foreign.join(', '));
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
}

// Does the page fit the viewport's width (no sideways scrolling)?
async function fitsWidth(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  let id = null;
  let nr = null;
  try {
    // --- 1. capture on a 360 px phone, keyboard only ---------------------
    {
      const p = await open(browser, { width: 360, height: 740 });
      const page = p.page;
      await page.goto(`${base}/invoer#token=${cfg.veldwerker}`);
      await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', WAIT);
      await axe(page, 'capture form, 360 px');
      await journey(page, 'capture form, 360 px (keyboard)', { skipTo: '#signaal' });
      check('capture, 360 px: no sideways scrolling', await fitsWidth(page));
      const narrow = await page.$$eval('#signaal input:not([type=radio]):not([type=checkbox]), #signaal select, #signaal textarea, #bewaar',
        (ns) => ns.filter((n) => { const r = n.getBoundingClientRect(); return r.right > window.innerWidth || r.height < 40; })
          .map((n) => n.id || n.name));
      check('capture, 360 px: every field fits the screen and is finger-sized', narrow.length === 0, narrow.join(', '));
      // Sent empty: refused in the page, with the fields marked.
      await tabTo(page, '#bewaar');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#fouten:not([hidden])', WAIT);
      await axe(page, 'capture form with errors, 360 px');
      // Filled in with Tab, Space and typing.
      await tabTo(page, 'input[name="thema"][value="mentaal"]');
      await page.keyboard.press('Space');
      await tabTo(page, 'input[name="thema"][value="onderwijs"]');
      await page.keyboard.press('Space');
      await radio(page, 'leeftijd', '12-17');
      await choose(page, '#sector', 'Onderwijs', 'onderwijs');
      await typeInto(page, '#omschrijving', `Wachtlijst van zes maanden bij de jeugd-GGZ (fictief, ${WORD})`);
      await shot(page, 'invoer-telefoon');
      await tabTo(page, '#bewaar');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#bevestiging:not([hidden]) #bewaard', WAIT);
      const text = await page.textContent('#bevestiging');
      const m = /met nummer ([0-9a-f]{32})/.exec(text);
      check('capture: stored with the keyboard alone', !!m, text.slice(0, 200));
      if (m) {
        id = m[1];
        console.log(`# stored ${id}`);
      }
      const wide = await page.$$eval('body *', (ns) => ns.filter((n) => n.getBoundingClientRect().right > window.innerWidth)
        .map((n) => `${n.tagName}.${n.className}#${n.id} ${Math.round(n.getBoundingClientRect().right)}`));
      wide.push(`scrollWidth ${await page.evaluate(() => document.documentElement.scrollWidth)}`);
      check('capture, 360 px: the confirmation fits the screen', await fitsWidth(page), wide.join(', '));
      await shot(page, 'invoer-telefoon-bewaard');
      await axe(page, 'capture confirmation, 360 px');
      clean('capture', p);
      await p.ctx.close();
    }
    if (!id) throw new Error('no signal was captured');

    // --- 2. the coordinator finds it and makes a dossier -----------------
    const p = await open(browser, { width: 1280, height: 900 });
    const page = p.page;
    {
      await page.goto(`${base}/signalen#token=${cfg.coordinator}`);
      await page.waitForSelector('#signaallijst tbody tr[data-id]', WAIT);
      check('signals: the token was taken from the address',
        !(await page.evaluate(() => window.location.hash.includes('token'))));
      await page.keyboard.press('Tab');
      check('signals: the first Tab stop skips to the results',
        await page.evaluate(() => document.activeElement.classList.contains('overslaan')));
      await shot(page, 'signalen-lijst');
      await axe(page, 'signals, coordinator');
      await journey(page, 'signals, coordinator (keyboard)', { skipTo: '#resultaten' });
      await typeInto(page, '#f-zoek', WORD);
      await choose(page, '#f-thema', 'Mentaal', 'mentaal');
      // This month (the first choice after "alle maanden"), for one month.
      const month = await page.$eval('#f-periode option:nth-child(2)', (o) => ({ label: o.textContent, value: o.value }));
      await choose(page, '#f-periode', month.label, month.value);
      check('signals: choosing a month enables its length',
        !(await page.$eval('#f-maanden', (s) => s.disabled)));
      await tabTo(page, '#zoek-knop');
      await page.keyboard.press('Enter');
      await until(page, () => document.querySelectorAll('#signaallijst tbody tr[data-id]').length === 1, null, 'one signal found');
      const found = await page.$$eval('#signaallijst tbody tr[data-id]', (rs) => rs.map((r) => r.getAttribute('data-id')));
      check('signals: free text and theme find exactly the captured signal', found.length === 1 && found[0] === id, found.join(','));
      await shot(page, 'signalen-gevonden');
      await tabTo(page, `tr[data-id="${id}"] button`);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#signaaldetail:not([hidden])', WAIT);
      const detail = await page.textContent('#signaaldetail');
      check('signals: the details show the description and the organisation',
        detail.includes(WORD) && detail.includes('CLB Noord (fictief)'), detail.slice(0, 200));
      check('signals: the focus moves to the details',
        await page.evaluate(() => document.activeElement.id === 'signaaldetail'));
      await shot(page, 'signalen-detail');
      await axe(page, 'signal details');
      await tabTo(page, `tr[data-id="${id}"] input.kies`);
      await page.keyboard.press('Space');
      check('signals: one signal selected', /^1 signaal geselecteerd/.test(await page.textContent('#selectie-aantal')));
      check("signals: the new dossier's theme is the selection's",
        (await page.$eval('#d-thema', (s) => s.value)) === 'mentaal');
      await typeInto(page, '#d-titel', 'Wachtlijsten jeugd-GGZ (fictief)');
      await typeInto(page, '#d-trekker', 'Sociale dienst (fictief)');
      await tabTo(page, '#nieuw-dossier button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#selectie .melding.ok a', WAIT);
      const href = await page.$eval('#selectie .melding.ok a', (a) => a.getAttribute('href'));
      const dm = /#dossier-([0-9]+)$/.exec(href);
      check('signals: a dossier was made and the signal linked', !!dm, href);
      nr = dm ? dm[1] : null;
      if (nr) console.log(`# dossier ${nr}`);
      await axe(page, 'signals after making a dossier');
      await tabTo(page, '#selectie .melding.ok a');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#dossier:not([hidden])', WAIT);
    }

    // --- 3. the dossier workbench ------------------------------------------
    {
      const huidig = () => page.textContent('#fasebalk li.huidig');
      const okAfter = async (what) => {
        await page.waitForSelector('#dossier-meldingen .melding', WAIT);
        const n = await page.$eval('#dossier-meldingen .melding', (m) => ({ cls: m.className, text: m.textContent }));
        check(`dossier: ${what}`, /\bok\b/.test(n.cls), n.text);
      };
      const move = async (phase, reason) => {
        await choose(page, '#naar-fase', phase, phase);
        await typeInto(page, '#fase-reden', reason);
        await page.keyboard.press('Enter');
        await until(page, (f) => {
          const li = document.querySelector('#fasebalk li.huidig');
          const m = document.querySelector('#dossier-meldingen .melding');
          return !!m && (li.textContent === f || /fout/.test(m.className));
        }, phase, `phase ${phase}`);
      };
      check('dossier: opened in phase opmerken with its signal',
        (await huidig()) === 'opmerken' &&
        (await page.$$('#dossiersignalen tbody button')).length === 1);
      await shot(page, 'dossier-nieuw');
      await axe(page, 'dossier workbench');
      await journey(page, 'dossier workbench (keyboard)');
      for (const [phase, reason] of [['verzamelen', 'Besproken in de werkgroep (fictief)'],
        ['bundelen', 'Drie organisaties melden hetzelfde (fictief)'],
        ['analyseren', 'Klaar voor de analyse (fictief)']]) {
        await move(phase, reason);
        check(`dossier: moved to ${phase} with the keyboard`, (await huidig()) === phase);
      }
      // rapporteren needs the four criteria: refused, and said why.
      await move('rapporteren', 'Te vroeg: de criteria zijn niet afgevinkt');
      const refusal = await page.$eval('#dossier-meldingen .melding', (m) => ({ cls: m.className, role: m.getAttribute('role'), text: m.textContent }));
      check('dossier: rapporteren is refused without the four criteria, with the reason on screen',
        /fout/.test(refusal.cls) && refusal.role === 'alert' && /criteri|duidelijk/i.test(refusal.text) &&
        (await huidig()) === 'analyseren', JSON.stringify(refusal));
      await shot(page, 'dossier-criteria-ontbreken');
      await axe(page, 'dossier with a refusal');
      for (const c of ['duidelijk', 'neutraal', 'herkend', 'gedeeld']) {
        await tabTo(page, `input[name="criterium"][value="${c}"]`);
        await page.keyboard.press('Space');
      }
      await typeInto(page, '#criteria-notitie', 'Herkend door drie partners (fictief)');
      await page.keyboard.press('Enter');
      await okAfter('the four criteria are saved');
      check('dossier: all four criteria ticked',
        (await page.$$eval('input[name="criterium"]:checked', (cs) => cs.length)) === 4);
      for (const [phase, reason] of [['rapporteren', 'Opgenomen in de signalenbundel (fictief)'],
        ['beslissing', 'Voorgelegd aan het college (fictief)'],
        ['actie', 'Het college besliste extra intakes (fictief)']]) {
        await move(phase, reason);
        check(`dossier: moved to ${phase} with the keyboard`, (await huidig()) === phase);
      }
      await typeInto(page, '#actie-wat', 'Overleg met de jeugd-GGZ over de wachtlijst (fictief)');
      await typeInto(page, '#actie-wie', 'Sociale dienst (fictief)');
      await page.keyboard.press('Enter');
      await okAfter('an action is recorded');
      await typeInto(page, '#actielijst li[data-actie] input', 'Twee extra intakes per week (fictief)');
      await page.keyboard.press('Enter');
      await okAfter('the result of the action is recorded');
      check('dossier: the action shows its result',
        (await page.textContent('#actielijst')).includes('Twee extra intakes per week (fictief)'));
      await move('feedback', 'De meldende organisaties krijgen antwoord (fictief)');
      check('dossier: moved to feedback with the keyboard', (await huidig()) === 'feedback');
      await typeInto(page, '#feedback-tekst', 'Bedankt voor uw signaal: er komen twee extra intakes per week (fictief).');
      await tabTo(page, '#feedbackform button[type="submit"]');
      await page.keyboard.press('Enter');
      await okAfter('feedback is sent');
      check('dossier: the feedback is listed for the organisation',
        (await page.textContent('#feedbacklijst')).includes('CLB Noord (fictief)'));
      const hist = await page.textContent('#geschiedenis');
      check('dossier: the history shows every phase move with its reason and who did it',
        ['Besproken in de werkgroep', 'Opgenomen in de signalenbundel', 'De meldende organisaties krijgen antwoord']
          .every((r) => hist.includes(r)) && hist.includes('an (Stad Gent (test))'), hist.slice(0, 300));
      await shot(page, 'dossier-feedback');
      await axe(page, 'dossier after feedback');
      // Back to the list, with the keyboard.
      await tabTo(page, '#terug');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#dossier[hidden]', { state: 'attached', ...WAIT });
      check('dossiers: the list shows the dossier in phase feedback',
        (await page.textContent(`#dossierlijst tr[data-nr="${nr}"]`)).includes('feedback'));
      await axe(page, 'dossier list');
      clean('coordinator', p);
    }

    // --- 5. every other filter; link to an existing dossier, unlink -----
    {
      const o = cfg.other;
      await page.goto(`${base}/signalen`);
      await page.waitForSelector('#signaallijst tbody tr[data-id]', WAIT);
      await chooseValue(page, '#f-periode', o.month);
      await chooseValue(page, '#f-maanden', '1');
      for (const f of ['thema', 'leeftijd', 'doelgroep', 'sector', 'organisatie']) await chooseValue(page, `#f-${f}`, o[f]);
      await chooseValue(page, '#f-status', 'nieuw');
      await tabTo(page, '#zoek-knop');
      await page.keyboard.press('Enter');
      await until(page, (id) => !!document.querySelector(`#signaallijst tbody tr[data-id="${id}"]`) &&
        !document.querySelector('#signaallijst tbody tr[data-id] .melding'), o.id, 'the other signal found');
      await page.waitForTimeout(300);
      const ids = await page.$$eval('#signaallijst tbody tr[data-id]', (rs) => rs.map((r) => r.getAttribute('data-id')));
      check(`signals: month, theme, age band, target group, sector, organisation and status find what the store has (${o.count})`,
        ids.length === o.count && ids.includes(o.id), `${ids.length} rows`);
      await tabTo(page, `tr[data-id="${o.id}"] input.kies`);
      await page.keyboard.press('Space');
      await chooseValue(page, '#k-dossier', nr);
      await tabTo(page, '#bestaand-dossier button[type="submit"]');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#selectie .melding', WAIT);
      const linked = await page.$eval('#selectie .melding', (m) => ({ cls: m.className, text: m.textContent }));
      check('signals: linked to the existing dossier with the keyboard', /\bok\b/.test(linked.cls), linked.text);
      await axe(page, 'signals after linking to an existing dossier');
      await page.goto(`${base}/dossiers#dossier-${nr}`);
      await page.waitForSelector('#dossier:not([hidden]) #dossiersignalen tbody button', WAIT);
      const unlinkBtn = `#dossiersignalen button[aria-label$=" van ${o.organisatie} ontkoppelen"]`;
      check('dossier: the linked signal is listed beside the first',
        (await page.$$('#dossiersignalen tbody button')).length === 2 && !!(await page.$(unlinkBtn)));
      await tabTo(page, unlinkBtn);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#dossier-meldingen .melding.ok', WAIT);
      check('dossier: unlinked with the keyboard; the notice has the focus',
        /ontkoppeld/.test(await page.evaluate(() => document.activeElement.textContent)) &&
        (await page.$$('#dossiersignalen tbody button')).length === 1);
      check('dossier: the history records the unlinking',
        /ontkoppel/.test(await page.textContent('#geschiedenis')), (await page.textContent('#geschiedenis')).slice(0, 200));
      await axe(page, 'dossier after unlinking');
      console.log(`# unlinked ${o.id}`);
      // The list of dossiers with the keyboard alone.
      await page.goto(`${base}/dossiers`);
      await page.waitForSelector('#dossierlijst tbody tr[data-nr]', WAIT);
      await journey(page, 'dossier list (keyboard)', { skipTo: '#dossierlijst' });
    }

    // --- the other pages, for axe ----------------------------------------
    for (const [url, name, ready] of [['/', 'start page', '#keuzes:not([hidden])'],
      ['/dashboard', 'dashboard', '#trends:not([hidden])'],
      ['/federatie', 'federation', '#knooppunten tbody tr']]) {
      await page.goto(`${base}${url}`);
      await page.waitForSelector(ready, WAIT);
      await axe(page, name);
      if (url === '/') await journey(page, 'start page (keyboard)', { skipTo: '#keuzes' });
    }
    // The checker itself can fail: grey text on white and an image
    // without a text alternative are found.
    await page.evaluate(() => {
      const main = document.getElementById('inhoud');
      const p = document.createElement('p');
      p.textContent = 'Te lichte tekst';
      p.setAttribute('class', 'leeg');
      p.setAttribute('data-proef', '1');
      main.appendChild(p);
      p.animate([{ color: '#c8c8c8' }, { color: '#c8c8c8' }], { duration: 100000, fill: 'forwards' });
      const img = document.createElement('img');
      img.src = '/static/icoon.svg';
      main.appendChild(img);
    });
    const planted = (await axeViolations(page)).map((v) => v.id);
    check('axe finds planted faults (low contrast, an image without alt)',
      planted.includes('color-contrast') && planted.includes('image-alt'), planted.join(','));
    await p.ctx.close();

    // --- the workbench on a phone -------------------------------------------
    {
      const q = await open(browser, { width: 360, height: 740 });
      await q.page.goto(`${base}/dossiers#token=${cfg.coordinator}`);
      await q.page.waitForSelector('#dossierlijst tbody tr[data-nr]', WAIT);
      await q.page.goto(`${base}/dossiers#dossier-${nr}`);
      await q.page.waitForSelector('#dossier:not([hidden]) #fasebalk li', WAIT);
      check('dossier, 360 px: no sideways scrolling', await fitsWidth(q.page));
      await shot(q.page, 'dossier-telefoon');
      await axe(q.page, 'dossier workbench, 360 px');
      clean('dossier on a phone', q);
      await q.ctx.close();
    }

    // --- 4. the field worker sees the feedback -----------------------------
    {
      const q = await open(browser, { width: 360, height: 740 });
      await q.page.goto(`${base}/signalen#token=${cfg.veldwerker}`);
      await q.page.waitForSelector(`#signaallijst tbody tr[data-id="${id}"]`, WAIT);
      const row = await q.page.textContent(`#signaallijst tbody tr[data-id="${id}"]`);
      check('field worker: their own list shows the feedback on their signal',
        row.includes('Bedankt voor uw signaal') && row.includes('feedback'), row.slice(0, 300));
      check('field worker: the page is called "Mijn signalen" and has no selection',
        (await q.page.textContent('h1')) === 'Mijn signalen' && (await q.page.$('#selectie:not([hidden])')) === null &&
        (await q.page.$('input.kies')) === null);
      const rows = await q.page.$$eval('#signaallijst tbody tr[data-id]', (rs) => rs.length);
      check('field worker: only their own signal is listed', rows === 1, `${rows} rows`);
      await shot(q.page, 'veldwerker-feedback');
      await axe(q.page, 'field worker list, 360 px');
      await q.page.goto(`${base}/`);
      await q.page.waitForSelector('#keuzes:not([hidden])', WAIT);
      const offered = await q.page.$$eval('#keuzes li:not([hidden]) strong', (ss) => ss.map((x) => x.textContent));
      check('field worker: the start page offers capture and their own list, not the workbench',
        JSON.stringify(offered) === JSON.stringify(['Signaal registreren', 'Mijn signalen']), JSON.stringify(offered));
      await axe(q.page, 'start page, field worker, 360 px');
      // The workbench is not theirs: the page says so and shows nothing.
      await q.page.goto(`${base}/dossiers`);
      await q.page.waitForSelector('#inhoud .melding.fout', WAIT);
      check('field worker: /dossiers says they have no access and shows no dossier',
        /geen toegang/.test(await q.page.textContent('#inhoud .melding.fout')) &&
        (await q.page.$$('#dossierlijst tbody tr')).length === 0 &&
        (await q.page.$('#dossier:not([hidden])')) === null);
      await axe(q.page, 'dossiers refused to a field worker, 360 px');
      // Nor the dashboard or the federation view; the API refuses them too.
      for (const [url, api] of [['/dashboard', '/api/v1/trends'], ['/federatie', '/api/v1/federation']]) {
        await q.page.goto(`${base}${url}`);
        await q.page.waitForSelector('#inhoud .melding.fout', WAIT);
        const shown = await q.page.$$eval('main section:not([hidden])', (ss) => ss.length);
        const status = (await q.ctx.request.get(`${base}${api}`, { headers: {
          Authorization: `Bearer ${cfg.veldwerker}` } })).status();
        check(`field worker: ${url} says they have no access, shows nothing, and ${api} answers 403`,
          /geen toegang/.test(await q.page.textContent('#inhoud .melding.fout')) && shown === 0 && status === 403,
          `${shown} sections, ${status}`);
        await axe(q.page, `${url} refused to a field worker, 360 px`);
      }
      clean('field worker', q);
      await q.ctx.close();
    }
  } catch (e) {
    check('the browser run', false, e.message.split('\n')[0]);
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
})();

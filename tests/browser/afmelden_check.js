// "Afmelden" with signals still waiting in the browser (docs/WEB.md,
// "Signals not yet sent"), in headless Chromium against one signaald:
//
//   node afmelden_check.js CONFIG.json ARTEFACT_DIR
//
// CONFIG: {"node": URL, "veldwerker": TOKEN, "veldwerker_nieuw": TOKEN,
// "veldwerker2": TOKEN, "coordinator": TOKEN, "veldwerker4": TOKEN,
// "veldwerker4_nieuw": TOKEN, "signaalctl": PATH, "dir": NODE_DIR}:
// field workers of other organisations and a coordinator, sharing one
// browser (a municipal laptop); a second token of field worker 1; a
// fourth field worker with a second token (for after the first was
// revoked, with signaalctl).
//
// The node is "down" for captures while POST /api/v1/signals is aborted
// in the browser (the browser itself stays online, so its own "online"
// retry does not interfere). In order:
// 1. keep: field worker 2 captures one signal, signs out and keeps it:
//    the dialog said so; the token is gone, the signal stays, sealed:
//    nothing of its text or its maker is in the storage;
// 2. count: field worker 1 captures two; the header counts two (not
//    the other's); the dialog counts two, is a labelled modal dialog
//    (focus inside, Tab stays in it, axe-core clean); Annuleren and
//    Escape change nothing and give the focus back;
// 3. send now: with the node down the dialog stays and the user stays
//    signed in; with the node back but the first answer lost, it stays
//    again; the next try stores both (the first with the same
//    Idempotency-Key) and signs out; the other's signal was never sent;
// 4. delete (the coordinator, keyboard only): a second confirmation,
//    "Nee, terug" keeps it, "Ja" deletes it: nothing of theirs is left
//    in the browser, the other's signal is;
// 5. field worker 2 signs in again: the kept signal is sent; signing
//    out with nothing waiting shows no dialog and leaves the browser's
//    storage empty;
// 6. the coordinator signs in again (the deleted signal is not sent)
//    in two tabs: signing out in one makes the other forget what it
//    showed, a draft included;
// 7. revoked: the token of field worker 4 is revoked while their
//    signal waits: the dialog says so and what to do (keep it, sign in
//    with a new token), and the new token sends it;
// 8. refused: a waiting signal the node refuses when it is finally sent
//    (simulated here: a 422 as after a taxonomy change) is not stored,
//    the dialog says why and signs out only when asked.
// 9. sealed (docs/WEB.md, "Kept signals are sealed"): field worker 1
//    keeps a signal with a marker in its text; the storage holds neither
//    the marker nor their name; field worker 2's page neither shows nor
//    sends it, and the key /me gives field worker 2 (or the
//    coordinator) does not open it, where field worker 1's does; a
//    changed ciphertext is reported to field worker 1, never sent, and
//    deleted on request; the original, signed in with field worker 1's
//    new token, is sent once with its own key;
// 10. no key: a signal sealed under a secret the node no longer has is
//    said as such and kept; a node whose /me gives no key, or a browser
//    without crypto.subtle: "Bewaren" is off, with the reason.
// Field worker 1 does not sign in between 3 and 9: what the dialog sent
// is all the node has of theirs until then.
// The shell checks the node's store afterwards.
'use strict';

const fs = require('fs');
const { execFileSync } = require('child_process');
const path = require('path');
const { check, failures, launch, axe } = require('./tap');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const outDir = path.resolve(process.argv[3]);
const QUEUE = 'signaal.wachtrij';
const SEALED = 'signaal.verzegeld';
const TOKEN = 'lokaalSignaal.token';
const AFMELDEN = '#navigatie button:has-text("Afmelden")';

const storage = (page) => page.evaluate(() => {
  const o = {};
  for (let i = 0; i < localStorage.length; i++) o[localStorage.key(i)] = localStorage.getItem(localStorage.key(i));
  return o;
});
const queued = async (page) => JSON.parse((await storage(page))[QUEUE] || '[]');
const sealed = async (page) => JSON.parse((await storage(page))[SEALED] || '[]');
// The whole of this site's storage as one text: what the next person at
// this browser reads with the devtools.
const raw = async (page) => JSON.stringify(await storage(page));
const wijken = (q) => q.map((x) => x.body.wijk).sort().join(', ');
const text = async (page, sel) => ((await page.$(sel)) ? page.textContent(sel) : null);
const shownHidden = async (page, sel) => (await page.$(sel)) !== null && page.isHidden(sel);
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return a ? (a.closest('dialog') ? 'dialog:' : '') + (a.id || a.tagName) : '';
});

async function capture(page, wijk) {
  await page.check('input[name="thema"][value="wonen"]');
  await page.check('input[name="leeftijd"][value="18-24"]');
  await page.selectOption('#sector', 'caw');
  await page.fill('#wijk', wijk);
  await page.fill('#omschrijving', `Beschrijving van een kwetsbare situatie (${wijk})`);
  await page.click('#bewaar');
  await page.waitForSelector('#bewaar:not([disabled])', { timeout: 15000 });
  await page.waitForSelector('#wachtrij:not([hidden])', { timeout: 5000 });
}

async function open(page, where, token) {
  await page.goto('about:blank');
  await page.goto(`${cfg.node}${where}#token=${token}`);
  await page.waitForSelector(AFMELDEN, { timeout: 10000 });
  if (where === '/invoer') await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', { timeout: 10000 });
}

// A marker typed into a kept signal: found nowhere in the browser's
// storage once it is sealed.
const MARKER = `M${Date.now().toString(36)}Q7`;

// The attack on a sealed item: the key /me gives this token, derived as
// the page derives it (HKDF-SHA-256, AES-GCM, the clear fields as
// associated data); the plain text, or null when it does not open.
// rawKey: the /me key itself as the AES key.
async function attackOpen(token, x, rawKey) {
  const sub = require('crypto').webcrypto.subtle;
  const res = await fetch(`${cfg.node}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  const me = await res.json();
  if (!me.wachtrij_sleutel) return null;
  const bytes = Buffer.from(me.wachtrij_sleutel, 'base64');
  let enc;
  if (rawKey) {
    enc = await sub.importKey('raw', bytes, 'AES-GCM', false, ['decrypt']);
  } else {
    const base = await sub.importKey('raw', bytes, 'HKDF', false, ['deriveKey']);
    enc = await sub.deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: Buffer.from('ls-web-queue-seal-v1') },
      base, { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
  }
  const aad = Buffer.from(JSON.stringify(['ls-web-queue-v1', x.key, x.versie, x.tag]));
  try {
    const plain = await sub.decrypt({ name: 'AES-GCM', iv: Buffer.from(x.iv, 'base64'), additionalData: aad }, enc,
      Buffer.from(x.ct, 'base64'));
    return Buffer.from(plain).toString('utf8');
  } catch (e) {
    return null;
  }
}

// A section that throws (a wait that times out) is one failure; the
// next section still runs, so that every check reports on its own.
async function section(name, fn) {
  try {
    await fn();
  } catch (e) {
    check(`${name}: ran`, false, e && e.message ? e.message.split('\n')[0] : String(e));
  }
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    ctx.setDefaultTimeout(10000);
    const page = await ctx.newPage();
    // every capture that reached the node (not those refused "down")
    const posts = [];
    let down = true, loseNext = false, refuse = null;
    await ctx.route('**/api/v1/signals', async (route) => {
      const r = route.request();
      if (r.method() !== 'POST') return route.continue();
      if (down) return route.abort('connectionrefused');
      const body = JSON.parse(r.postData() || '{}');
      if (refuse && body.wijk === refuse) {
        return route.fulfill({ status: 422, contentType: 'application/json',
          body: JSON.stringify({ code: 'unknown_code', melding: 'Onbekende code.', veld: 'thema' }) });
      }
      posts.push({ key: r.headers()['idempotency-key'] || '', wijk: body.wijk || '' });
      console.log(`# post ${body.wijk} key ${r.headers()['idempotency-key'] || '-'}`);
      if (loseNext) {
        loseNext = false;
        await route.fetch(); // the node stores it...
        return route.abort('connectionreset'); // ...the answer is lost
      }
      return route.continue();
    });

    // --- 1. keep ----------------------------------------------------------
    let st, keptKey = null;
    await section('keep', async () => {
      await open(page, '/invoer', cfg.veldwerker2);
      await capture(page, 'Bewaard (fictief)');
      check('keep: the header counts the waiting signal', (await text(page, '#wachtrij-teller')) === '1 signaal niet verzonden' &&
        await page.isVisible('#wachtrij-teller'));
      await page.click(AFMELDEN);
      const dialog1 = page.getByRole('dialog', { name: 'Er wacht nog 1 signaal' });
      check('keep: Afmelden opens a dialog that counts 1 signal', await dialog1.isVisible());
      const hint = await text(page, '#afmelden-bewaar-uitleg');
      check('keep: the dialog says a kept signal stays on this device, encrypted, until its maker signs in again, and nobody else can read it',
        /blijven versleuteld op dit toestel tot u zich hier weer aanmeldt/.test(hint) && /Niemand anders kan ze lezen/.test(hint) &&
        !(await page.isDisabled('#afmelden-bewaar')), hint);
      const key = (await queued(page))[0].key;
      await page.click('#afmelden-bewaar');
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      st = await storage(page);
      check('keep: signed out, the token is gone', !(TOKEN in st), JSON.stringify(Object.keys(st)));
      const s = await sealed(page);
      check('keep: the signal stays sealed, and nothing else', Object.keys(st).join() === SEALED && s.length === 1 &&
        Object.keys(s[0]).sort().join() === 'ct,iv,key,tag,versie' && s[0].key === key, JSON.stringify(st));
      const all = await raw(page);
      check('keep: the storage holds none of its text, its place, its maker or their organisation',
        !['kwetsbare situatie', 'Bewaard', 'mw-40', 'CAW Zuid', 'veldwerker', 'wonen', '18-24'].some((w) => all.includes(w)), all);
      keptKey = key;
    });

    // --- 2. count, cancel, escape ---------------------------------------------
    await section('count', async () => {
      await open(page, '/invoer', cfg.veldwerker);
      check("count: another's waiting signal is not counted", await shownHidden(page, '#wachtrij-teller'));
      await capture(page, 'Wacht 1 (fictief)');
      await capture(page, 'Wacht 2 (fictief)');
      // another page: the form's own retries (every 30 s) stay out of it
      await page.goto(`${cfg.node}/signalen`);
      await page.waitForSelector(AFMELDEN, { timeout: 10000 });
      const badge = await text(page, '#wachtrij-teller');
      check('count: every page counts the two waiting signals in its header', badge === '2 signalen niet verzonden' &&
        await page.isVisible('#wachtrij-teller'), badge);
      await page.click(AFMELDEN);
      const dialog = page.getByRole('dialog', { name: 'Er wachten nog 2 signalen' });
      check('dialog: Afmelden opens a dialog named after the count', await dialog.isVisible());
      check('dialog: it is modal and described', (await dialog.getAttribute('aria-modal')) === 'true' &&
        /2 signalen die u registreerde, zijn nog niet verzonden/.test(await page.textContent('#' + await dialog.getAttribute('aria-describedby'))));
      check('dialog: the focus is in it', (await focused(page)) === 'dialog:afmelden-verstuur', await focused(page));
      const stops = [];
      for (let i = 0; i < 10; i++) { await page.keyboard.press('Tab'); stops.push(await focused(page)); }
      check('dialog: Tab goes round its buttons, never to the page behind',
        stops.every((s) => s.startsWith('dialog:') || s === 'BODY') &&
        ['verstuur', 'bewaar', 'verwijder', 'annuleer'].every((b) => stops.includes(`dialog:afmelden-${b}`)), stops.join(' '));
      await axe(page, 'afmelden-dialoog');
      await page.screenshot({ path: path.join(outDir, 'afmelden-dialoog.png') });
      await page.click('#afmelden-annuleer');
      st = await storage(page);
      check('cancel: Annuleren closes the dialog and gives the focus back to Afmelden',
        (await page.$('dialog')) === null && (await focused(page)) === 'afmelden', await focused(page));
      check('cancel: still signed in, both signals (and the other\'s, sealed) still waiting',
        st[TOKEN] === cfg.veldwerker && wijken(await queued(page)) === 'Wacht 1 (fictief), Wacht 2 (fictief)' &&
        (await sealed(page)).length === 1);
      await page.keyboard.press('Enter');
      check('escape: Enter on Afmelden opens it again', await dialog.isVisible());
      await page.keyboard.press('Escape');
      st = await storage(page);
      check('escape: Escape closes it, changes nothing and gives the focus back',
        (await page.$('dialog')) === null && (await focused(page)) === 'afmelden' && st[TOKEN] === cfg.veldwerker &&
        (await queued(page)).length === 2, await focused(page));
    });

    // --- 3. send now ------------------------------------------------------------
    await section('send now', async () => {
      await page.click(AFMELDEN);
      await page.click('#afmelden-verstuur');
      await page.waitForSelector('#afmelden-melding:has-text("lukt nu niet")', { timeout: 15000 });
      check('send, node down: the dialog stays and says so; still signed in, still waiting',
        (await page.url()).endsWith('/signalen') && (await storage(page))[TOKEN] === cfg.veldwerker &&
        (await queued(page)).length === 2 && (await focused(page)) === 'dialog:afmelden-melding');
      await page.screenshot({ path: path.join(outDir, 'afmelden-niet-bereikbaar.png') });
      down = false;
      loseNext = true;
      const before = posts.length;
      await page.click('#afmelden-verstuur');
      await page.waitForSelector('#afmelden-melding:has-text("lukt nu niet")', { timeout: 15000 });
      check('send, answer lost: still signed in, the signal still waits',
        (await storage(page))[TOKEN] === cfg.veldwerker && (await queued(page)).length === 2);
      await page.click('#afmelden-verstuur');
      await page.waitForURL(`${cfg.node}/`, { timeout: 15000 });
      st = await storage(page);
      check('send: all stored, then signed out', !(TOKEN in st) && Object.keys(st).join() === SEALED,
        JSON.stringify(Object.keys(st)));
      const sent = posts.slice(before);
      const k1 = sent.filter((p) => p.wijk === 'Wacht 1 (fictief)').map((p) => p.key);
      const k2 = sent.filter((p) => p.wijk === 'Wacht 2 (fictief)').map((p) => p.key);
      check('send: the first was sent again with the same Idempotency-Key', k1.length === 2 && k1[0] && k1[0] === k1[1], JSON.stringify(sent));
      check('send: the second once', k2.length === 1 && k2[0] && k2[0] !== k1[0], JSON.stringify(sent));
      check("send: the other's signal was never sent", !posts.some((p) => p.wijk === 'Bewaard (fictief)'), JSON.stringify(posts));
    });

    // --- 4. delete, with the keyboard ---------------------------------------------
    await section('delete', async () => {
      down = true;
      await open(page, '/invoer', cfg.coordinator);
      await capture(page, 'Weg (fictief)');
      await page.focus(AFMELDEN);
      await page.keyboard.press('Enter');
      check('delete: the dialog counts the coordinator\'s 1 signal', await page.getByRole('dialog', { name: 'Er wacht nog 1 signaal' }).isVisible());
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      check('delete: Tab reaches "Verwijderen en afmelden"', (await focused(page)) === 'dialog:afmelden-verwijder', await focused(page));
      await page.keyboard.press('Enter');
      check('delete: a second confirmation is asked, the focus on "Nee, terug"',
        await page.getByRole('dialog', { name: '1 signaal definitief verwijderen?' }).isVisible() &&
        (await focused(page)) === 'dialog:afmelden-terug', await focused(page));
      check('delete: nothing is deleted yet', wijken(await queued(page)) === 'Weg (fictief)');
      await page.screenshot({ path: path.join(outDir, 'afmelden-verwijderen.png') });
      await page.keyboard.press('Enter');
      check('delete: "Nee, terug" returns to the choice, nothing deleted',
        await page.getByRole('dialog', { name: 'Er wacht nog 1 signaal' }).isVisible() &&
        (await queued(page)).length === 1 && (await storage(page))[TOKEN] === cfg.coordinator);
      await page.click('#afmelden-verwijder');
      await page.keyboard.press('Shift+Tab');
      check('delete: Shift+Tab reaches the confirmation', (await focused(page)) === 'dialog:afmelden-verwijder-ja' &&
        (await page.textContent('#afmelden-verwijder-ja')) === 'Ja, 1 signaal verwijderen en afmelden', await focused(page));
      await page.keyboard.press('Enter');
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      st = await storage(page);
      check('delete: signed out, nothing of the coordinator left in the browser (only the other\'s sealed signal)',
        Object.keys(st).join() === SEALED && (await sealed(page)).length === 1 &&
        !JSON.stringify(st).includes('Weg (fictief)'), JSON.stringify(Object.keys(st)));
      check('delete: it was never sent', !posts.some((p) => p.wijk === 'Weg (fictief)'));
    });

    // --- 5. signing in again sends the kept one; nothing waiting: no dialog ----------
    await section('again', async () => {
      down = false;
      await open(page, '/invoer', cfg.veldwerker2);
      await page.waitForSelector('#wachtrij[hidden]', { state: 'attached', timeout: 15000 });
      const kept = posts.filter((p) => p.wijk === 'Bewaard (fictief)');
      check('again: the kept signal is opened and sent when its maker signs in again, once, with the key it was made with',
        kept.length === 1 && kept[0].key === keptKey && (await sealed(page)).length === 0, JSON.stringify(kept));
      check('again: the header counts nothing', await shownHidden(page, '#wachtrij-teller'));
      await page.click(AFMELDEN);
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      st = await storage(page);
      check('empty: Afmelden signs out at once, and the browser keeps nothing of this site', Object.keys(st).length === 0,
        JSON.stringify(st));
    });

    // --- 6. two tabs (the coordinator again: the deleted signal stays gone) ----------
    await section('two tabs', async () => {
      await open(page, '/invoer', cfg.coordinator);
      await new Promise((r) => setTimeout(r, 1000)); // the page's first send, if any
      check('delete: the deleted signal is not sent when the coordinator signs in again',
        !posts.some((p) => p.wijk === 'Weg (fictief)') && await shownHidden(page, '#wachtrij'));
      await page.fill('#omschrijving', 'Concept over een kwetsbare situatie (fictief)');
      const other = await ctx.newPage();
      await other.goto(`${cfg.node}/signalen`);
      await other.waitForSelector(AFMELDEN, { timeout: 10000 });
      await other.click(AFMELDEN);
      await other.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      await page.waitForSelector('#aanmelden input#token', { timeout: 10000 });
      check('two tabs: signing out in one makes the other show the sign-in, not the user\'s page',
        (await page.$(AFMELDEN)) === null && (await page.$('#signaal[hidden]')) !== null);
      check('two tabs: the draft in the other is gone',
        (await page.evaluate(() => document.getElementById('omschrijving').value)) === '');
      await other.close();
    });

    // --- 7. revoked ----------------------------------------------------------------
    await section('revoked', async () => {
      down = true;
      await open(page, '/invoer', cfg.veldwerker4);
      await capture(page, 'Ingetrokken (fictief)');
      const id = /^lst1_([0-9a-f]+)_/.exec(cfg.veldwerker4)[1];
      execFileSync(cfg.signaalctl, ['-d', cfg.dir, 'token', 'revoke', id], { stdio: 'ignore' });
      down = false;
      await page.click(AFMELDEN);
      await page.click('#afmelden-verstuur');
      await page.waitForSelector('#afmelden-melding:has-text("ingetrokken")', { timeout: 15000 });
      const said = await text(page, '#afmelden-melding');
      check('revoked: the dialog says the token was revoked and what to do, not that the node is unreachable',
        /Dit toegangstoken is ingetrokken\./.test(said) && /nieuwe token/.test(said) && !/niet bereikbaar/.test(said), said);
      check('revoked: still signed in here, the signal still waits',
        (await storage(page))[TOKEN] === cfg.veldwerker4 && wijken(await queued(page)) === 'Ingetrokken (fictief)');
      await page.screenshot({ path: path.join(outDir, 'afmelden-ingetrokken.png') });
      await page.click('#afmelden-bewaar');
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      await open(page, '/invoer', cfg.veldwerker4_nieuw);
      await page.waitForSelector('#wachtrij[hidden]', { state: 'attached', timeout: 15000 });
      check("revoked: the new token of the same person sends it", posts.filter((p) => p.wijk === 'Ingetrokken (fictief)').length === 2 &&
        (await queued(page)).length === 0);
    });

    // --- 8. refused ----------------------------------------------------------------
    await section('refused', async () => {
      down = true;
      await open(page, '/invoer', cfg.veldwerker2);
      await capture(page, 'Geweigerd (fictief)');
      down = false;
      refuse = 'Geweigerd (fictief)';
      await page.click(AFMELDEN);
      await page.click('#afmelden-verstuur');
      await page.waitForSelector('#afmelden-melding:has-text("geweigerd")', { timeout: 15000 });
      const said = await text(page, '#afmelden-melding');
      check('refused: the dialog says the node refused it, and why', /1 signaal werd door het knooppunt geweigerd en is niet bewaard: Onbekende code\./.test(said), said);
      check('refused: still signed in, until asked', (await storage(page))[TOKEN] === cfg.veldwerker2 &&
        await page.isVisible('#afmelden-klaar') && await page.isHidden('#afmelden-verstuur'));
      await page.click('#afmelden-klaar');
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      check('refused: signed out, nothing left', Object.keys(await storage(page)).length === 0);
      refuse = null;
    });

    // --- 9. sealed: another person at the same browser ----------------------
    // Field worker 1 keeps a signal; field worker 2 signs in on the
    // same browser with a valid token of their own and the devtools:
    // the page neither shows nor sends it, and their key (as /me gives
    // it) does not open it, where its maker's does. A ciphertext changed
    // on the device is reported and never sent; a new token of the maker
    // sends the original once, with its key.
    let item = null;
    await section('sealed', async () => {
      down = true;
      await open(page, '/invoer', cfg.veldwerker);
      await page.check('input[name="thema"][value="wonen"]');
      await page.check('input[name="leeftijd"][value="18-24"]');
      await page.selectOption('#sector', 'caw');
      await page.fill('#wijk', 'Verzegeld (fictief)');
      await page.fill('#omschrijving', `Merkteken ${MARKER}: een kwetsbare situatie (fictief)`);
      await page.click('#bewaar');
      await page.waitForSelector('#bewaar:not([disabled])', { timeout: 15000 });
      await page.waitForSelector('#wachtrij:not([hidden])', { timeout: 5000 });
      check('sealed: before signing out, the queue holds the text (the user is signed in)', (await raw(page)).includes(MARKER));
      await page.click(AFMELDEN);
      await page.click('#afmelden-bewaar');
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      const all = await raw(page);
      check('sealed: after "Bewaren en afmelden" the storage holds neither the typed marker nor the person or organisation',
        !all.includes(MARKER) && !all.includes('mw-12') && !all.includes('CLB Noord') && !all.includes('Verzegeld') &&
        Object.keys(await storage(page)).join() === SEALED, all);
      item = (await sealed(page))[0];
      const mine = await attackOpen(cfg.veldwerker, item);
      check("sealed: its maker's key (from /me) opens it (the attack below is a real one)",
        mine !== null && mine.includes(MARKER) && mine.includes('mw-12'), String(mine));
      check("sealed: another person's valid token gets a key that does not open it",
        (await attackOpen(cfg.veldwerker2, item)) === null && (await attackOpen(cfg.coordinator, item)) === null);
      check('sealed: a key without the owner (the raw key as an AES key) does not open it either',
        (await attackOpen(cfg.veldwerker2, item, true)) === null);

      down = false;
      const before = posts.length;
      await open(page, '/invoer', cfg.veldwerker2);
      for (let i = 0; i < 50 && !/ander token/.test(await page.textContent('#wachtrij-tekst')); i++)
        await new Promise((r) => setTimeout(r, 100));
      await new Promise((r) => setTimeout(r, 500));
      const said = await text(page, '#wachtrij-tekst');
      check("sealed: another's page says only that a signal of another token waits", /1 signaal op dit toestel werd door iemand anders gemaakt/.test(said) &&
        !said.includes(MARKER), said);
      check("sealed: another's page sends nothing, and leaves it sealed as it was",
        posts.length === before && JSON.stringify(await sealed(page)) === JSON.stringify([item]) && (await queued(page)).length === 0,
        JSON.stringify(posts.slice(before)));
      check("sealed: another's header counts nothing", await shownHidden(page, '#wachtrij-teller'));
      await page.click(AFMELDEN);
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });

      // changed on the device: reported, not sent, deleted when asked
      const bad = Object.assign({}, item);
      const ct = Buffer.from(bad.ct, 'base64');
      ct[3] ^= 1;
      bad.ct = ct.toString('base64');
      await page.evaluate(([k, v]) => localStorage.setItem(k, v), [SEALED, JSON.stringify([bad])]);
      await open(page, '/invoer', cfg.veldwerker);
      await page.waitForSelector('#beschadigd', { timeout: 10000 });
      await new Promise((r) => setTimeout(r, 500));
      const report = await text(page, '#beschadigd');
      check('tampered: its maker is told it can no longer be opened and is not sent',
        /1 signaal dat u op dit toestel bewaarde, kan niet meer geopend worden/.test(report) && /niet verzonden/.test(report), report);
      check('tampered: nothing sent, nothing in the queue, nothing counted as waiting',
        posts.length === before && (await queued(page)).length === 0 && await shownHidden(page, '#wachtrij-teller') &&
        (await sealed(page)).length === 1);
      await page.screenshot({ path: path.join(outDir, 'afmelden-beschadigd.png') });
      await axe(page, 'afmelden-beschadigd');
      await page.click('#beschadigd-verwijder');
      check('tampered: "verwijderen" deletes it', (await sealed(page)).length === 0 && (await page.$('#beschadigd')) === null);
      await page.click(AFMELDEN);
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });

      // the original again (as if never touched): a new token of the
      // same person opens it and sends it once, with its key
      await page.evaluate(([k, v]) => localStorage.setItem(k, v), [SEALED, JSON.stringify([item])]);
      await open(page, '/invoer', cfg.veldwerker_nieuw);
      await page.waitForSelector('#wachtrij[hidden]', { state: 'attached', timeout: 15000 });
      const sent = posts.slice(before);
      check('sealed: a new token of its maker opens it and sends it, once, with the key it was made with',
        sent.length === 1 && sent[0].wijk === 'Verzegeld (fictief)' && sent[0].key === item.key &&
        (await sealed(page)).length === 0 && (await queued(page)).length === 0, JSON.stringify(sent));
      await page.click(AFMELDEN);
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      check('sealed: signed out with nothing waiting, nothing is left', Object.keys(await storage(page)).length === 0,
        JSON.stringify(await storage(page)));
    });

    // --- 10. a secret the node no longer has, and no key ---------------------
    await section('no key', async () => {
      // sealed under another web secret (the node lost keys/web.secret):
      // nobody's, said as such, kept (a restored secret opens it)
      const lost = Object.assign({}, item, { versie: '0000000000000000' });
      await page.evaluate(([k, v]) => localStorage.setItem(k, v), [SEALED, JSON.stringify([lost])]);
      down = false;
      const before = posts.length;
      await open(page, '/invoer', cfg.veldwerker);
      await page.waitForSelector('#wachtrij:not([hidden])', { state: 'attached', timeout: 10000 });
      const said = await text(page, '#wachtrij-tekst');
      check('lost secret: the page says a signal was kept with a key this node no longer has; nothing sent; kept',
        /sleutel die dit knooppunt niet meer heeft/.test(said) && posts.length === before && (await sealed(page)).length === 1, said);
      await page.evaluate((k) => localStorage.removeItem(k), SEALED);
      // a node that gives no key (its secret unreadable): "Bewaren" is
      // offered disabled, with the reason; nothing is kept in plain text
      await ctx.route('**/api/v1/me', async (route) => {
        const res = await route.fetch();
        const me = await res.json();
        delete me.wachtrij_sleutel;
        return route.fulfill({ response: res, body: JSON.stringify(me) });
      });
      down = true;
      await open(page, '/invoer', cfg.veldwerker);
      await capture(page, 'Geen sleutel (fictief)');
      await page.click(AFMELDEN);
      const hint = await text(page, '#afmelden-bewaar-uitleg');
      check('no key: "Bewaren en afmelden" is disabled and says why', await page.isDisabled('#afmelden-bewaar') &&
        /Bewaren kan hier niet: het knooppunt gaf geen sleutel/.test(hint), hint);
      await page.click('#afmelden-verwijder');
      await page.click('#afmelden-verwijder-ja');
      await page.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      check('no key: deleted, nothing left', Object.keys(await storage(page)).length === 0);
      await ctx.unroute('**/api/v1/me');
      // a browser without crypto.subtle: the same, with its own reason
      const bare = await ctx.newPage();
      await bare.addInitScript(() => Object.defineProperty(window.crypto, 'subtle', { value: undefined }));
      await open(bare, '/invoer', cfg.veldwerker);
      await capture(bare, 'Geen sleutel (fictief)');
      await bare.click(AFMELDEN);
      const why = await text(bare, '#afmelden-bewaar-uitleg');
      check('no crypto.subtle: "Bewaren en afmelden" is disabled and says why', await bare.isDisabled('#afmelden-bewaar') &&
        /Bewaren kan hier niet: deze browser kan ze niet versleutelen/.test(why), why);
      await bare.click('#afmelden-verwijder');
      await bare.click('#afmelden-verwijder-ja');
      await bare.waitForURL(`${cfg.node}/`, { timeout: 10000 });
      check('no crypto.subtle: deleted, nothing left', Object.keys(await storage(bare)).length === 0);
      await bare.close();
    });

    await ctx.close();
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
})().catch((e) => {
  console.log(`not ok - afmelden_check.js ran: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
  process.exit(1);
});

// The capture form when the network fails (docs/API.md, "Retries"), in
// headless Chromium against one signaald:
//
//   node invoer_retry.js CONFIG.json ARTEFACT_DIR
//
// CONFIG: {"node": URL, "veldwerker": TOKEN, "veldwerker2": TOKEN,
// "veldwerker3": TOKEN}: two field workers' tokens (of other
// organisations), and a second token of the first one's person.
//
// 1. offline: a signal captured without a network is kept in the
//    browser (the page says so, the button is free again), nothing
//    reaches the node; back online, the page sends it by itself;
// 2. a lost answer: the node stores the signal but the browser never
//    sees the 201 (the response is dropped on its way); the page keeps
//    the signal and sends it again with the same Idempotency-Key: the
//    node answers as the first time and stores nothing new;
// 3. a shared device: a signal one field worker captured offline is
//    not sent with another's token (it would be stored as theirs),
//    and is sent once a token of its maker (a new one) is used there.
// The shell counts the node's signals afterwards: exactly one per
// capture. Every request the page sent for a capture is printed ("# key
// K" per POST) so the shell can check that the retry reused the key.
'use strict';

const fs = require('fs');
const path = require('path');
const { check, failures, launch, wait } = require('./tap');

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const outDir = path.resolve(process.argv[3]);

async function count(page) {
  return page.evaluate(async (tok) => {
    const r = await fetch('/api/v1/signals?limiet=500', { headers: { Authorization: 'Bearer ' + tok } });
    return (await r.json()).signalen.length;
  }, cfg.veldwerker);
}

async function fill(page, wijk) {
  await page.check('input[name="thema"][value="wonen"]');
  await page.check('input[name="leeftijd"][value="18-24"]');
  await page.selectOption('#sector', 'caw');
  await page.fill('#wijk', wijk);
}

(async () => {
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await launch();
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await ctx.newPage();
    const keys = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/v1/signals')) {
        const k = r.headers()['idempotency-key'];
        keys.push(k || '');
        console.log(`# key ${k || '-'}`);
      }
    });
    await page.goto(`${cfg.node}/invoer#token=${cfg.veldwerker}`);
    await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', { timeout: wait(10000) });
    const start = await count(page);

    // --- 1. offline ------------------------------------------------------
    await ctx.setOffline(true);
    await fill(page, 'Kelder (offline, fictief)');
    await page.click('#bewaar');
    await page.waitForSelector('#bewaar:not([disabled])', { timeout: wait(15000) });
    await page.waitForSelector('#wachtrij:not([hidden])', { timeout: wait(5000) });
    const waiting = await page.textContent('#wachtrij');
    check('offline: the page says the signal waits on this device', /wacht op verzending/.test(waiting), waiting);
    check('offline: the send button is free again', !(await page.isDisabled('#bewaar')));
    check('offline: the signal is kept in the browser',
      (await page.evaluate(() => JSON.parse(localStorage.getItem('signaal.wachtrij') || '[]').length)) === 1);
    await page.screenshot({ path: path.join(outDir, 'invoer-offline.png'), fullPage: true });
    await ctx.setOffline(false);
    await page.waitForSelector('#wachtrij[hidden]', { state: 'attached', timeout: wait(15000) });
    check('online again: the queue is empty',
      (await page.evaluate(() => JSON.parse(localStorage.getItem('signaal.wachtrij') || '[]').length)) === 0);
    check('online again: the node has the signal, once', (await count(page)) === start + 1);

    // --- 2. a lost answer -------------------------------------------------
    let dropped = 0;
    await page.route('**/api/v1/signals', async (route) => {
      if (route.request().method() === 'POST' && dropped === 0) {
        dropped++;
        await route.fetch(); // the node stores it and answers...
        await route.abort('connectionreset'); // ...but the answer is lost
        return;
      }
      await route.continue();
    });
    const before = keys.length;
    await fill(page, 'Verloren antwoord (fictief)');
    await page.click('#bewaar');
    // The signal is queued before it is sent; the button is free again
    // once the attempt is over.
    await page.waitForSelector('#bewaar:not([disabled])', { timeout: wait(15000) });
    await page.waitForSelector('#wachtrij:not([hidden])', { timeout: wait(5000) });
    check('lost answer: the node stored it, the page does not know yet', (await count(page)) === start + 2);
    await page.click('#wachtrij-verzend');
    await page.waitForSelector('#wachtrij[hidden]', { state: 'attached', timeout: wait(15000) });
    const sent = keys.slice(before);
    check('lost answer: sent twice, with the same key', sent.length === 2 && sent[0] && sent[0] === sent[1],
      JSON.stringify(sent));
    check('lost answer: the retry stored nothing new', (await count(page)) === start + 2);
    await page.screenshot({ path: path.join(outDir, 'invoer-opnieuw.png'), fullPage: true });

    // --- 3. a shared device ----------------------------------------------
    // A signal captured offline by one field worker waits for that
    // worker's token: another's token on the same device (here: set in
    // another tab) never sends it, it would be stored as theirs.
    await page.unroute('**/api/v1/signals');
    await ctx.setOffline(true);
    await fill(page, 'Gedeeld toestel (fictief)');
    await page.click('#bewaar');
    await page.waitForSelector('#bewaar:not([disabled])', { timeout: wait(15000) });
    await page.waitForSelector('#wachtrij:not([hidden])', { timeout: wait(5000) });
    const posts = keys.length;
    await page.evaluate((t) => localStorage.setItem('lokaalSignaal.token', t), cfg.veldwerker2);
    await ctx.setOffline(false);
    await page.goto('about:blank'); // a new page, not a jump within this one
    await page.goto(`${cfg.node}/invoer#token=${cfg.veldwerker2}`);
    await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', { timeout: wait(10000) });
    // (polled: the page's CSP forbids waitForFunction's eval)
    for (let i = 0; i < 50 && !/ander token/.test(await page.textContent('#wachtrij-tekst')); i++)
      await new Promise((r) => setTimeout(r, 100));
    await page.click('#wachtrij-verzend', { force: true, timeout: wait(2000) }).catch(() => {});
    await new Promise((r) => setTimeout(r, 1000));
    const other = await page.textContent('#wachtrij');
    check("shared device: another token's page says a signal of another token waits", /ander token/.test(other), other);
    check("shared device: it sends nothing with its own token", keys.length === posts,
      JSON.stringify(keys.slice(posts)));
    check('shared device: the signal stays on the device',
      (await page.evaluate(() => JSON.parse(localStorage.getItem('signaal.wachtrij') || '[]').length)) === 1);
    await page.screenshot({ path: path.join(outDir, 'invoer-ander-token.png'), fullPage: true });
    // Its maker comes back with a new token (the old one was replaced):
    // the same person, so it is theirs and is sent.
    await page.goto('about:blank');
    await page.goto(`${cfg.node}/invoer#token=${cfg.veldwerker3}`);
    await page.waitForSelector('#signaal:not([hidden]) input[name="thema"]', { timeout: wait(10000) });
    await page.waitForSelector('#wachtrij[hidden]', { state: 'attached', timeout: wait(15000) });
    check("shared device: its maker's new token sends it, once", keys.length === posts + 1);
    check('shared device: the node has it', (await count(page)) === start + 3);
    await ctx.close();
  } finally {
    await browser.close();
  }
  process.exit(failures() ? 1 : 0);
})().catch((e) => {
  console.log(`not ok - invoer_retry.js ran: ${e && e.stack ? e.stack.split('\n')[0] : e}`);
  process.exit(1);
});

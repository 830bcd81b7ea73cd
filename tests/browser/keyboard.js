// Keyboard-only use of a page in headless Chromium: what the browser
// checks share (workbench_check.js, dashboard_check.js, web_check.js).
//
//   tabTo(page, sel)            Tab (then Shift+Tab) until sel has focus
//   radio(page, name, value)    a radio group: one Tab stop, arrow keys
//   typeInto(page, sel, text)   Tab to a field and type
//   choose(page, sel, label, v) a closed <select>: type-ahead
//   chooseValue(page, sel, v)   a closed <select>: the arrow keys
//   until(page, fn, arg, what)  poll fn in the page (CSP forbids eval)
//   journey(page, name)         the whole page with Tab alone, from its
//                               start: see below
//
// journey() starts from the top of the page (when a control has the
// focus, it first Tabs out of the page: Chromium's next Tab starts at
// the top). It presses Tab until the focus leaves the page and checks,
// as TAP lines (or through opts.check(name, ok, detail)):
// - the first stop is the skip link, and Enter on it moves the focus
//   into the content (when the page has one);
// - every control a user can see (links, buttons, form fields, summary,
//   tabindex >= 0) is reached, in document order (no positive tabindex);
// - every stop shows its focus: the pixels around the control differ
//   from the same pixels once the focus has moved on, and enough of them
//   (100 or more) change with a contrast of at least 3:1 (the
//   screenshots are decoded here: pngPixels);
// - there is no trap: Tab leaves the page within a bound, no control
//   keeps the focus for more than a few presses, and Shift+Tab walks the
//   same stops back to the first.
'use strict';

const { check: tapCheck, wait } = require('./tap');

const WAIT_MS = wait(10000);

async function tabTo(page, selector, max = 400) {
  const here = () => page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), selector);
  if (await here()) return;
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(key);
      if (await here()) return;
    }
  }
  throw new Error(`the keyboard never reaches ${selector}`);
}

async function radio(page, name, value) {
  await tabTo(page, `input[type="radio"][name="${name}"]`);
  for (let i = 0; i < 12; i++) {
    if (await page.evaluate((v) => document.activeElement.value === v && document.activeElement.checked, value)) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the arrow keys never choose ${name}=${value}`);
}

async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

async function choose(page, selector, labelStart, value) {
  await tabTo(page, selector);
  await page.keyboard.type(labelStart);
  const got = await page.$eval(selector, (s) => s.value);
  if (value !== undefined && got !== value) throw new Error(`${selector}: typing "${labelStart}" chose "${got}", not "${value}"`);
}

async function chooseValue(page, selector, value) {
  await tabTo(page, selector);
  const n = await page.$eval(selector, (s) => s.options.length);
  for (const key of ['ArrowDown', 'ArrowUp']) {
    for (let i = 0; i <= n; i++) {
      if ((await page.$eval(selector, (s) => s.value)) === String(value)) return;
      await page.keyboard.press(key);
    }
  }
  throw new Error(`the arrow keys never choose ${selector}=${value}`);
}

async function until(page, fn, arg, what, ms = WAIT_MS) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await page.evaluate(fn, arg)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// The focused element: its index in window.__kbStops (added once; a
// radio group is one stop, known by its first radio), a description,
// its box around the outline (viewport) and the scroll.
function focusedInPage() {
  const a = document.activeElement;
  if (!a || a === document.body || a === document.documentElement) return null;
  const seen = window.__kbStops || (window.__kbStops = []);
  const key = a.type === 'radio' && a.name ? (a.form || document).querySelector(`input[type="radio"][name="${a.name}"]`) || a : a;
  let i = seen.indexOf(key);
  if (i < 0) { seen.push(key); i = seen.length - 1; }
  const r = a.getBoundingClientRect();
  const pad = 7;
  const x = Math.max(0, Math.floor(r.left - pad));
  const y = Math.max(0, Math.floor(r.top - pad));
  const w = Math.min(window.innerWidth, Math.ceil(r.right + pad)) - x;
  const h = Math.min(window.innerHeight, Math.ceil(r.bottom + pad)) - y;
  const label = (a.getAttribute('aria-label') || a.textContent || a.value || '').trim().replace(/\s+/g, ' ').slice(0, 30);
  return {
    i, desc: `${a.tagName.toLowerCase()}${a.id ? '#' + a.id : ''} "${label}"`,
    clip: { x, y, width: w, height: h }, sx: window.scrollX, sy: window.scrollY,
    perimeter: 2 * (r.width + r.height),
  };
}

// What Tab should reach: visible, enabled, not inside a hidden part,
// in document order, as indexes into window.__kbStops (added if new).
function controlsInPage() {
  const seen = window.__kbStops || (window.__kbStops = []);
  const sel = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]';
  return [...document.querySelectorAll(sel)].filter((n) => {
    if (n.disabled || n.closest('[hidden], [inert]')) return false;
    if (n.hasAttribute('tabindex') && Number(n.getAttribute('tabindex')) < 0) return false;
    // a radio group is one stop: its first radio stands for it
    if (n.matches('input[type="radio"]') && n.name &&
        (n.form || document).querySelector(`input[type="radio"][name="${n.name}"]`) !== n) return false;
    const s = getComputedStyle(n);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    // the skip link sits above the page until focused: it counts
    return n.classList.contains('overslaan') || n.getClientRects().length > 0;
  }).map((n) => {
    let i = seen.indexOf(n);
    if (i < 0) { seen.push(n); i = seen.length - 1; }
    const label = (n.getAttribute('aria-label') || n.textContent || n.value || '').trim().replace(/\s+/g, ' ').slice(0, 30);
    return { i, desc: `${n.tagName.toLowerCase()}${n.id ? '#' + n.id : ''} "${label}"`,
      positive: Number(n.getAttribute('tabindex')) > 0 };
  });
}

// A PNG as RGB(A) pixels: 8-bit RGB or RGBA, not interlaced (what
// Chromium's screenshots are); zlib is node's own.
function pngPixels(buf) {
  const zlib = require('zlib');
  let pos = 8, width = 0, height = 0, type = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const kind = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      type = body[9];
      if (body[8] !== 8 || (type !== 2 && type !== 6) || body[12] !== 0) throw new Error('unexpected PNG format');
    } else if (kind === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)], row = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[y * stride + x - bpp] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? out[(y - 1) * stride + x - bpp] : 0;
      let v = row[x];
      if (f === 1) v += a;
      else if (f === 2) v += b;
      else if (f === 3) v += (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      out[y * stride + x] = v & 255;
    }
  }
  return { width, height, bpp, data: out };
}

// Two screenshots of the same box: how many pixels changed, and how
// many of those with a contrast ratio of 3:1 or more (WCAG's formula).
function focusChange(a, b) {
  const x = pngPixels(a), y = pngPixels(b);
  if (x.width !== y.width || x.height !== y.height) return { changed: -1, strong: -1 };
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (p, k) => 0.2126 * lin(p.data[k]) + 0.7152 * lin(p.data[k + 1]) + 0.0722 * lin(p.data[k + 2]);
  let changed = 0, strong = 0;
  for (let k = 0, m = 0; k < x.data.length; k += x.bpp, m += y.bpp) {
    if (x.data[k] === y.data[m] && x.data[k + 1] === y.data[m + 1] && x.data[k + 2] === y.data[m + 2]) continue;
    changed++;
    const l1 = lum(x, k), l2 = lum(y, m);
    if ((Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05) >= 3) strong++;
  }
  return { changed, strong };
}

// Resolves after the page has painted twice: style and paint of what
// just changed (focus, scroll) are on the screen.
function painted(page) {
  return page.evaluate(() => new Promise((done) =>
    requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}

async function journey(page, name, opts = {}) {
  const check = opts.check || tapCheck;
  const maxStops = opts.maxStops || 300;
  const stops = []; // every Tab stop: {i, desc, clip, sx, sy, shot}
  const pending = []; // stops whose unfocused look is still to be taken
  const visible = []; // per distinct control: its verdict
  let trap = null;
  let left = false;

  const baseline = async () => {
    const back = await page.evaluate(() => [window.scrollX, window.scrollY]);
    for (const s of pending.splice(0)) {
      await page.evaluate(([x, y]) => window.scrollTo(x, y), [s.sx, s.sy]);
      await painted(page);
      const before = await page.screenshot({ clip: s.clip });
      const c = focusChange(s.shot, before);
      visible.push({ desc: s.desc, ok: c.changed > 0 && c.strong >= 100, c });
    }
    await page.evaluate(([x, y]) => window.scrollTo(x, y), back);
  };

  // The first stop: the skip link, if the page has one.
  const controls = await page.evaluate(controlsInPage);
  check(`${name}: no positive tabindex (Tab follows the document)`, controls.every((c) => !c.positive),
    controls.filter((c) => c.positive).map((c) => c.desc).join(', '));
  // From the top: the focus (and so the sequential focus starting
  // point) to the document's body, as after loading the page.
  await page.evaluate(() => {
    const b = document.body;
    b.tabIndex = -1;
    b.focus();
    b.removeAttribute('tabindex');
  });
  let run = 0;
  for (let k = 0; k < maxStops; k++) {
    await page.keyboard.press('Tab');
    const f = await page.evaluate(focusedInPage);
    // past the last control the focus leaves the page, or (headless
    // Chromium, now and then) comes round to the first again
    if (!f) { left = true; break; }
    const prev = stops.length ? stops[stops.length - 1] : null;
    if (prev && prev.i !== f.i && f.i === stops[0].i) { left = true; break; }
    run = prev && prev.i === f.i ? run + 1 : 0;
    if (run >= 4) { trap = f.desc; break; }
    if (prev && prev.i !== f.i) await baseline();
    // Two animation frames: the focus style is painted before the shot
    // (on a loaded machine a shot straight after the key can miss it).
    await painted(page);
    f.shot = f.clip.width > 0 && f.clip.height > 0 ? await page.screenshot({ clip: f.clip }) : null;
    stops.push(f);
    if (f.shot) pending.push(f);
    else visible.push({ desc: f.desc, ok: false, c: 'outside the screen' });
  }
  // the last control's unfocused look: the focus has moved on
  await baseline();
  check(`${name}: Tab leaves the page after the last control (no keyboard trap)`, left && !trap,
    trap ? `stuck at ${trap}` : `${stops.length} stops without leaving`);

  const distinct = [];
  stops.forEach((s) => { if (!distinct.length || distinct[distinct.length - 1].i !== s.i) distinct.push(s); });
  check(`${name}: every control is a single visit in the Tab order`,
    new Set(distinct.map((s) => s.i)).size === distinct.length, distinct.map((s) => s.desc).join(' > '));
  const reached = new Set(distinct.map((s) => s.i));
  const missed = controls.filter((c) => !reached.has(c.i));
  check(`${name}: every control is reached with Tab (${controls.length})`, missed.length === 0,
    missed.map((c) => c.desc).join(', '));
  const order = controls.filter((c) => reached.has(c.i)).map((c) => c.i);
  const got = distinct.map((s) => s.i).filter((i) => order.includes(i));
  check(`${name}: the Tab order is the document's order`, JSON.stringify(order) === JSON.stringify(got),
    distinct.map((s) => s.desc).join(' > '));
  if (opts.skipTo) {
    check(`${name}: the first Tab stop is the skip link`, distinct.length > 0 && /^a "Naar /.test(distinct[0].desc),
      distinct.length ? distinct[0].desc : 'no stop');
  }
  const hidden = visible.filter((v) => !v.ok);
  check(`${name}: every Tab stop shows its focus (3:1 against the page)`, visible.length > 0 && hidden.length === 0,
    hidden.map((v) => `${v.desc}: ${JSON.stringify(v.c)}`).join('; '));

  // Back with Shift+Tab, from outside the page to the first control.
  const backStops = [];
  let outside = 0;
  for (let k = 0; k < maxStops; k++) {
    await page.keyboard.press('Shift+Tab');
    const f = await page.evaluate(focusedInPage);
    if (!f) {
      // from the first control Shift+Tab may leave the page first
      if (!backStops.length && !outside++) continue;
      break;
    }
    if (!backStops.length || backStops[backStops.length - 1] !== f.i) backStops.push(f.i);
    // at the first stop (Chromium may wrap round rather than leave)
    if (distinct.length && f.i === distinct[0].i) break;
  }
  check(`${name}: Shift+Tab walks the same stops back to the first`,
    JSON.stringify(backStops.slice().reverse()) === JSON.stringify(distinct.map((s) => s.i)),
    `${backStops.length} back, ${distinct.length} forward`);

  if (opts.skipTo) {
    // The skip link works: Enter on it, and the focus is in the content.
    await tabTo(page, 'a.overslaan');
    await page.keyboard.press('Enter');
    const inside = await page.evaluate((sel) => !!document.activeElement && !!document.activeElement.closest(sel), opts.skipTo);
    check(`${name}: Enter on the skip link moves the focus to ${opts.skipTo}`, inside,
      await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 80)));
  }
  return distinct.map((s) => s.desc);
}

module.exports = { tabTo, radio, typeInto, choose, chooseValue, until, journey, WAIT_MS };

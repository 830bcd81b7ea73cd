// What the browser checks share: TAP-style results for tests/run.sh
// and Debian's Chromium, launched headless through playwright-core.
'use strict';

const { chromium } = require('playwright-core');

let failed = 0;

// Print "ok - name" or "not ok - name: detail"; count failures.
function check(name, cond, detail) {
  if (cond) {
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}${detail ? ': ' + detail : ''}`);
  }
}

function failures() {
  return failed;
}

// A wait's bound in ms: ms times BROWSER_WAIT_SCALE (default 1). A
// sanitizer build (make check) or a loaded machine serves pages several
// times slower and raises it; a wait is a bound, never a speed claim.
const WAIT_SCALE = Number(process.env.BROWSER_WAIT_SCALE) > 0 ? Number(process.env.BROWSER_WAIT_SCALE) : 1;
function wait(ms) {
  return Math.round(ms * WAIT_SCALE);
}

// Debian's chromium (never a downloaded browser), headless, quiet.
function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

// axe-core, run inside the page. The source is evaluated through the
// DevTools protocol, which the page's Content-Security-Policy does not
// govern (a <script> tag would be refused, as it should be), so the page
// is tested exactly as it is served. Rules: WCAG 2.0/2.1 A and AA
// (colour contrast included) and axe's best practices. A serious or
// critical violation fails; others are printed as comments.
let axeSource = null;

async function axeViolations(page) {
  if (axeSource === null) {
    const fs = require('fs');
    axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  }
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations;
}

async function axe(page, name) {
  const result = { violations: await axeViolations(page) };
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  result.violations.filter((v) => !bad.includes(v)).forEach((v) => {
    console.log(`# axe ${name}: ${v.impact} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  });
  check(`${name}: axe-core finds no serious or critical accessibility violation`, bad.length === 0,
    bad.map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 4).join(', ')}`).join('; '));
  return result.violations;
}

module.exports = { wait, check, failures, launch, axe, axeViolations };

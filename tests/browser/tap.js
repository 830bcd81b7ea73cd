// What both browser checks share: TAP-style results for tests/run.sh
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

// Debian's chromium (never a downloaded browser), headless, quiet.
function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu',
      '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}

module.exports = { check, failures, launch };

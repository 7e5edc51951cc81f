// The end-to-end suite: serves dist/ on 127.0.0.1, drives Debian's Chromium with playwright-core,
// and runs every tests/e2e/specs/*.spec.mjs. A spec exports `tests`: [{ name, run({ page, url, shot, native }) }].
// Any console error or uncaught exception on the page fails the test it happens in.
// Screenshots go to test-results/screenshots/. The last line is "N passed, N failed".
import { chromium } from 'playwright-core';
import { readdir, mkdir } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const dist = join(root, 'dist');
const shots = join(root, 'test-results', 'screenshots');
const only = process.argv[2];

const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Runs the native kubestep binary (built by the test command) and returns its stdout. */
function native(args, input) {
  const bin = process.env.KUBESTEP_BIN ?? join(root, 'target', 'debug', 'kubestep');
  return execFileSync(bin, args, { input, encoding: 'utf8' });
}

await mkdir(shots, { recursive: true });
const server = await serve(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
  headless: true,
});

const specFiles = (await readdir(join(here, 'specs'))).filter((f) => f.endsWith('.spec.mjs')).sort();
let passed = 0;
let failed = 0;
for (const file of specFiles) {
  const { tests } = await import(pathToFileURL(join(here, 'specs', file)).href);
  for (const t of tests) {
    const name = `${file.replace('.spec.mjs', '')} › ${t.name}`;
    if (only && !name.includes(only)) continue;
    const context = await browser.newContext({ viewport: t.viewport ?? { width: 1366, height: 768 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    const shot = async (label) => {
      const path = join(shots, `${file.replace('.spec.mjs', '')}-${label}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    };
    const started = Date.now();
    try {
      await t.run({ page, url: server.url, shot, native, context, browser });
      if (problems.length) throw new Error(problems.join('\n'));
      passed++;
      console.log(`ok   ${name} (${Date.now() - started} ms)`);
    } catch (err) {
      failed++;
      console.log(`FAIL ${name}\n     ${String(err?.stack ?? err).split('\n').join('\n     ')}`);
      await shot('FAILED-' + t.name.replace(/\W+/g, '-')).catch(() => {});
    } finally {
      await context.close();
    }
  }
}
await browser.close();
await server.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);

// The etcd benchmark in headless Chromium: serves dist/ (build it first with
// `trunk build --release`), opens `?bench=etcd`, and prints the page's numbers. A benchmark
// command that prints numbers, not a test.
import { chromium } from 'playwright-core';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../tests/e2e/serve.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const server = await serve(join(root, 'dist'));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage();
await page.goto(`${server.url}?bench=etcd`);
const table = await page.getByTestId('bench-result').textContent({ timeout: 300_000 });
console.log('kubestep bench etcd (wasm, headless Chromium)');
console.log(table.trim());
await browser.close();
await server.close();

// The foundation: the page loads as a product, shows the kernel's state, steps, and its trace
// is byte-identical with the native build's for the same seed and inputs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../fixtures/determinism.script', import.meta.url));
const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();

async function runLine(page, line) {
  await page.getByTestId('console-input').fill(line);
  await page.getByTestId('console-input').press('Enter');
}

export const tests = [
  {
    name: 'loads with the kernel state and no errors',
    async run({ page, url, shot }) {
      await page.goto(url);
      await page.getByRole('heading', { name: 'kubestep', level: 1 }).waitFor();
      assert.match(await page.title(), /kubestep/);
      assert.equal(await text(page, 'seed'), '1');
      assert.equal(await text(page, 'time'), '0.000s');
      assert.equal(await text(page, 'trace-len'), '0');
      assert.ok(await page.getByRole('img', { name: 'Cluster diagram' }).isVisible());
      assert.ok(await page.getByRole('button', { name: 'Step' }).isDisabled(), 'nothing to step yet');
      await shot('loaded');
    },
  },
  {
    name: 'a typed command waits on the bus and Step delivers it',
    async run({ page, url, shot }) {
      await page.goto(`${url}?seed=7`);
      assert.equal(await text(page, 'seed'), '7');
      await runLine(page, 'etcdctl put /demo/greeting hello');
      assert.equal(await text(page, 'pending'), '1');
      assert.match(await text(page, 'next'), /learner → etcdctl: \$ etcdctl put \/demo\/greeting hello/);
      await shot('pending');
      await page.getByRole('button', { name: 'Step' }).click();
      assert.equal(await text(page, 'trace-len'), '1');
      assert.match(await page.getByTestId('trace-list').textContent(), /etcdctl put \/demo\/greeting hello/);
      await page.getByRole('button', { name: 'Run until idle' }).click();
      assert.equal(await text(page, 'pending'), '0');
      await shot('stepped');
    },
  },
  {
    name: 'the wasm trace hash equals the native one for the same seed and inputs',
    async run({ page, url, native }) {
      const script = readFileSync(fixture, 'utf8');
      const expected = native(['trace-hash', '--seed', '42', '--script', fixture]).trim();
      await page.goto(`${url}?seed=42`);
      for (const line of script.split('\n').map((l) => l.trim())) {
        if (!line || line.startsWith('#')) continue;
        await runLine(page, line);
        await page.getByRole('button', { name: 'Run until idle' }).click();
      }
      assert.equal(await text(page, 'trace-hash'), expected);
      assert.notEqual(await text(page, 'trace-len'), '0');
    },
  },
];

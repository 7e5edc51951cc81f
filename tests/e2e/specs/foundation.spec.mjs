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
      // The cluster has started before the learner arrives: the API server listed and is
      // watching etcd, and its post-start hooks wrote the system objects.
      assert.match(await text(page, "time"), /^\d+\.\d{3}s$/);
      assert.ok(Number(await text(page, 'trace-len')) > 50, 'start-up traffic is in the trace');
      const trace = await page.getByTestId('trace-list').textContent();
      // The newest entries: the components' informers listing and watching through the API
      // server, which reads etcd.
      assert.match(trace, /etcd → kube-apiserver/);
      assert.match(trace, /kube-apiserver → etcd/);
      assert.match(trace, /kube-controller-manager → kube-apiserver/);
      assert.ok(await page.getByRole('img', { name: 'Cluster diagram' }).isVisible());
      for (const c of ['etcd', 'kube-apiserver', 'kubelet/worker-1', 'kube-proxy/worker-2']) {
        assert.ok(await page.locator(`[data-component="${c}"]`).isVisible(), `${c} is drawn`);
      }
      await shot('loaded');
    },
  },
  {
    name: 'a typed command runs as in a terminal, and stepping back replays its messages',
    async run({ page, url, shot }) {
      await page.goto(`${url}?seed=7`);
      assert.equal(await text(page, 'seed'), '7');
      const before = Number(await text(page, 'trace-len'));
      await runLine(page, 'etcdctl put /demo/greeting hello');
      // The console shows the answer at once: the cursor follows the command to its end.
      assert.match(await page.getByTestId('console-output').textContent(), /OK/);
      const after = Number(await text(page, 'trace-len'));
      assert.ok(after > before, 'the command delivered messages');
      assert.match(await page.getByTestId('trace-list').textContent(), /etcdctl put \/demo\/greeting hello/);
      await shot('typed');
      // Step back to the start of it: the learner's input is next on the bus, and OK is gone.
      for (let i = before; i < after; i++) await page.getByTestId('step-back').click();
      assert.equal(Number(await text(page, 'trace-len')), before);
      assert.match(await text(page, 'next'), /learner → etcdctl: \$ etcdctl put \/demo\/greeting hello/);
      assert.doesNotMatch(await page.getByTestId('console-output').textContent(), /OK/);
      await shot('stepped-back');
      // And forward again, one message at a time, to the same answer.
      await page.getByTestId('step').click();
      assert.equal(Number(await text(page, 'trace-len')), before + 1);
      await page.keyboard.press('End');
      assert.equal(Number(await text(page, 'trace-len')) >= after, true);
      assert.match(await page.getByTestId('console-output').textContent(), /OK/);
    },
  },
  {
    name: 'the wasm trace hash equals the native one for the same seed and inputs',
    async run({ page, url, native }) {
      const script = readFileSync(fixture, 'utf8');
      const expected = native(['trace-hash', '--seed', '42', '--script', fixture]).trim();
      await page.goto(`${url}?seed=42`);
      // As in a terminal, each typed line runs to its end before the next (`kubestep
      // trace-hash` runs each line to its end the same way); the page shows the hash there.
      for (const line of script.split('\n').map((l) => l.trim())) {
        if (!line || line.startsWith('#')) continue;
        await runLine(page, line);
      }
      assert.equal(await text(page, 'trace-hash'), expected);
    },
  },
];

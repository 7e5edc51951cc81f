// The flow view as a learner uses it (issue 7's end-to-end tests): apply the default Deployment
// and step through the eleven steps (tracker, narration and diagram at each), step back to the
// exact earlier state, go on to the end with the pods Running in both zones; then an invalid
// Pod stopped at validation with the server's text at its editor line, jane stopped at
// authorization in another namespace, and a Pod the scheduler cannot place. Screenshots at each.
import assert from 'node:assert/strict';

const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();
const stepState = (page, n) => page.locator(`.tracker li[data-step="${n}"]`).getAttribute('data-state');

/** Presses → (the page's shortcut) until `done()` holds, at most `max` times. */
async function forwardUntil(page, what, done, max = 400) {
  for (let i = 0; i < max; i++) {
    if (await done()) return i;
    await page.keyboard.press('ArrowRight');
  }
  throw new Error(`never reached ${what} in ${max} steps`);
}

/** The editor's text replaced by a template, then Apply (the cursor stays before it). */
async function applyTemplate(page, name, edit = (t) => t) {
  await page.getByTestId('editor-template').selectOption(name);
  const input = page.getByTestId('editor-input');
  const edited = edit(await input.inputValue());
  await input.fill(edited);
  await page.getByTestId('editor-apply').click();
  return edited;
}

/** Where the cursor is: the position line under the scrubber. */
const where = (page) => text(page, 'position');

export const tests = [
  {
    name: 'the default Deployment: all eleven steps, back, and on to Running pods in both zones',
    async run({ page, url, shot }) {
      await page.goto(url);
      const input = page.getByTestId('editor-input');
      assert.match(await input.inputValue(), /kind: Deployment/, 'the page opens on the nginx Deployment');
      await shot('1-open');
      await page.getByTestId('editor-apply').click();
      // Step 1 is kubectl's own request; every step then comes in order.
      for (let n = 1; n <= 11; n++) {
        await forwardUntil(page, `step ${n}`, async () => (await stepState(page, n)) === 'current');
        assert.match(await text(page, 'narration-step'), new RegExp(`^${n}\\s*Step ${n} · `));
        for (let m = 1; m < n; m++) {
          assert.equal(await stepState(page, m), 'done', `step ${m} is ticked at step ${n}`);
        }
        const message = await page.getByTestId('narration-message').textContent();
        if (n === 1) {
          assert.match(message, /POST https:\/\/172\.18\.0\.2:6443\/apis\/apps\/v1\/namespaces\/default\/deployments/);
          await shot('2-step-1');
          // Inside the API server, its handler chain opens, the current stage lit.
          await forwardUntil(page, 'the handler chain', async () => (await page.getByTestId('handler-chain').count()) > 0);
          assert.equal(await stepState(page, 1), 'current');
          assert.equal(await page.locator('[data-testid^="handler-stage-"][aria-current="step"]').count(), 1);
          await shot('2-step-1-chain');
        }
        if (n === 2) assert.match(message, /\/registry\/deployments\/default\/web/);
        if (n === 6) {
          const verdicts = page.getByTestId('scheduler-verdicts');
          assert.ok(await verdicts.isVisible(), 'the scheduler shows its verdicts');
          assert.match(await verdicts.textContent(), /TaintToleration/);
          assert.equal(await verdicts.locator('[data-winner="true"]').count() > 0, true, 'a winner is marked');
        }
        if (n === 8) {
          // Bound: the pod is drawn on its node, no longer in the pending frame.
          const bound = page.locator('.node.worker [data-testid^="pod-web-"], [data-testid^="pod-web-"]');
          assert.ok(await bound.count() > 0, 'the pod is drawn');
        }
        if ([2, 3, 6, 8, 10, 11].includes(n)) await shot(`2-step-${n}`);
      }

      // Step back: the earlier state exactly (position, narration, diagram, numbers).
      const before = {
        where: await where(page),
        headline: await text(page, 'narration-headline'),
        pods: await page.locator('[data-testid^="pod-web-"]').evaluateAll((ps) => ps.map((p) => `${p.dataset.testid}:${p.dataset.status}`).join(',')),
        time: await text(page, 'time'),
        hash: await text(page, 'trace-hash'),
      };
      for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowRight');
      assert.notEqual(await where(page), before.where);
      for (let i = 0; i < 25; i++) await page.keyboard.press('ArrowLeft');
      assert.deepEqual({
        where: await where(page),
        headline: await text(page, 'narration-headline'),
        pods: await page.locator('[data-testid^="pod-web-"]').evaluateAll((ps) => ps.map((p) => `${p.dataset.testid}:${p.dataset.status}`).join(',')),
        time: await text(page, 'time'),
        hash: await text(page, 'trace-hash'),
      }, before);
      await shot('3-stepped-back');

      // Play a little, then to the end: the pods run, one in each zone.
      await page.getByTestId('play').click();
      await page.waitForTimeout(600);
      await page.getByTestId('play').click();
      await page.keyboard.press('End');
      const pods = page.locator('[data-testid^="pod-web-"]');
      assert.equal(await pods.count(), 2);
      const nodes = new Set();
      for (const pod of await pods.all()) {
        assert.equal(await pod.getAttribute('data-phase'), 'Running');
        assert.match(await pod.textContent(), /Running/, 'the phase is written, not only coloured');
        nodes.add(await pod.evaluate((el) => el.closest('svg').querySelectorAll('.node.worker').length && (() => {
          const b = el.getBoundingClientRect();
          for (const n of el.closest('svg').querySelectorAll('.node.worker')) {
            const r = n.querySelector('rect').getBoundingClientRect();
            if (b.left >= r.left && b.right <= r.right && b.top >= r.top && b.bottom <= r.bottom) return n.dataset.node;
          }
          return null;
        })()));
      }
      assert.deepEqual([...nodes].sort(), ['worker-1', 'worker-2'], 'one pod in each zone');
      for (let n = 1; n <= 11; n++) assert.notEqual(await stepState(page, n), 'todo');
      await shot('4-running');
    },
  },
  {
    name: 'an invalid Pod stops at validation with the server\'s text at its editor line',
    async run({ page, url, shot }) {
      await page.goto(url);
      const yaml = await applyTemplate(page, 'Invalid Pod');
      const refused = page.locator('[data-testid^="handler-stage-"][data-state="refused"]');
      await forwardUntil(page, 'the refusal', async () => (await refused.count()) > 0);
      assert.equal(await refused.getAttribute('data-testid'), 'handler-stage-validation');
      assert.match(await refused.textContent(), /422/);
      assert.match(await refused.textContent(), /metadata\.name: Invalid value: "MyPod"/);
      await shot('5-invalid-stopped');
      // The answer reaches kubectl: its message, mapped to the lines of the fields.
      await page.keyboard.press('End');
      assert.match(await page.getByTestId('console-output').textContent(), /The Pod "MyPod" is invalid: \n\* metadata\.name: Invalid value: "MyPod"/);
      const diagnostics = page.getByTestId('editor-diagnostic');
      const lines = await diagnostics.evaluateAll((ds) => ds.map((d) => Number(d.dataset.line)));
      const lineOf = (needle) => yaml.split('\n').findIndex((l) => l.includes(needle)) + 1;
      assert.deepEqual(lines, [lineOf('name: MyPod'), lineOf('- name: web')]);
      assert.match(await page.getByTestId('editor-diagnostics').textContent(), /spec\.containers\[0\]\.image: Required value/);
      await shot('6-invalid-mapped');
    },
  },
  {
    name: 'jane creating in another namespace stops at authorization',
    async run({ page, url, shot }) {
      await page.goto(url);
      await page.getByTestId('context').selectOption('jane@kubernetes');
      assert.match(await page.getByTestId('console-output').textContent(), /Switched to context "jane@kubernetes"\./);
      await applyTemplate(page, 'Pod', (t) => t.replace('  name: hello\n', '  name: hello\n  namespace: kube-system\n'));
      const refused = page.locator('[data-testid^="handler-stage-"][data-state="refused"]');
      await forwardUntil(page, 'the refusal', async () => (await refused.count()) > 0);
      assert.equal(await refused.getAttribute('data-testid'), 'handler-stage-authorization');
      assert.match(await refused.textContent(), /403/);
      assert.match(await refused.textContent(), /User "jane" cannot/);
      await shot('7-jane-forbidden');
      await page.keyboard.press('End');
      assert.match(await page.getByTestId('console-output').textContent(),
        /Error from server \(Forbidden\): error when retrieving current configuration of:[\s\S]*from server for: "editor\.yaml": pods "hello" is forbidden: User "jane" cannot get resource "pods" in API group "" in the namespace "kube-system"/);
    },
  },
  {
    name: 'a Pod that cannot be scheduled stays Pending with the scheduler\'s reason',
    async run({ page, url, shot }) {
      await page.goto(url);
      await applyTemplate(page, 'Pod that cannot be scheduled');
      await forwardUntil(page, 'step 6', async () => (await stepState(page, 6)) === 'current');
      const verdicts = page.getByTestId('scheduler-verdicts');
      assert.match(await verdicts.textContent(), /Insufficient cpu/);
      await shot('8-unschedulable-verdicts');
      await page.keyboard.press('End');
      const pod = page.getByTestId('pod-big');
      assert.equal(await pod.getAttribute('data-phase'), 'Pending');
      assert.match(await pod.textContent(), /Pending/);
      assert.equal(await pod.evaluate((el) => !!el.closest('svg').querySelector('.pending-area')), true);
      // Never bound: steps 7 to 11 do not happen.
      for (let n = 7; n <= 11; n++) assert.equal(await stepState(page, n), 'todo', `step ${n}`);
      await page.getByTestId('console-input').fill('kubectl get events --field-selector reason=FailedScheduling');
      await page.getByTestId('console-input').press('Enter');
      assert.match(await page.getByTestId('console-output').textContent(),
        /0\/3 nodes are available: 1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/control-plane: \}, 2 Insufficient cpu\./);
      await shot('9-unschedulable-pending');
    },
  },
];

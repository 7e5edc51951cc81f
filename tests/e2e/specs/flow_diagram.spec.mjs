// The cluster diagram as a learner uses it: create a Deployment at the console, step into the API
// server's handler chain, on to the scheduler's verdicts at step 6, then let the cluster run and
// see the pods drawn on the workers with their phase. Screenshots at each moment.
import assert from 'node:assert/strict';

async function runLine(page, line) {
  await page.getByTestId('console-input').fill(line);
  await page.getByTestId('console-input').press('Enter');
  // The console ran it to its end; back to where it was typed, to step through it.
  await page.getByRole('button', { name: 'Back to where you last acted' }).click();
}

/** Clicks Step until `done()` holds, at most `max` times; returns the number of clicks. */
async function stepUntil(page, what, done, max = 400) {
  const step = page.getByTestId('step');
  for (let i = 1; i <= max; i++) {
    await step.click();
    if (await done()) return i;
  }
  throw new Error(`never reached ${what} in ${max} steps`);
}

const diagram = (page) => page.getByRole('img', { name: 'Cluster diagram' });

export const tests = [
  {
    name: 'a Deployment through the handler chain, the scheduler and onto the workers',
    async run({ page, url, shot }) {
      await page.goto(url);
      await diagram(page).waitFor();
      for (const c of ['kubectl', 'kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager',
        'kubelet/worker-1', 'containerd/worker-1', 'kube-proxy/worker-2', 'containerd/worker-2']) {
        assert.ok(await page.locator(`[data-component="${c}"]`).isVisible(), `${c} is drawn`);
      }
      await shot('1-loaded');

      await runLine(page, 'kubectl create deployment web --image=nginx --replicas=2');
      // kubectl's own discovery GETs come first; the POST is step 1. Step until the API server
      // has opened into its handler chain for it with a stage lit.
      const chain = page.getByTestId('handler-chain');
      const lit = chain.locator('[aria-current="step"]');
      await stepUntil(page, 'the handler chain', async () => (await chain.count()) > 0 && (await lit.count()) > 0);
      const stage = await lit.getAttribute('data-testid');
      assert.match(stage, /^handler-stage-(authentication|authorization|decoding|mutating-admission|validation|validating-admission|storage|response)$/);
      assert.equal(await lit.getAttribute('data-state'), 'current');
      assert.equal(await chain.locator('[aria-current="step"]').count(), 1, 'one stage lit');
      // Step through the POST's chain until its stage lights up in turn: authorization.
      await stepUntil(page, 'authorization of the POST', async () =>
        (await page.getByTestId('handler-stage-authorization').getAttribute('aria-current').catch(() => null)) === 'step'
        && /step 1/.test(await chain.textContent()));
      const authz = page.getByTestId('handler-stage-authorization');
      assert.match(await authz.textContent(), /RBAC: allowed by ClusterRoleBinding "kubeadm:cluster-admins"/);
      assert.equal(await page.getByTestId('handler-stage-authentication').getAttribute('data-state'), 'passed');
      assert.equal(await page.getByTestId('handler-stage-storage').getAttribute('data-state'), 'ahead');
      // The packet of the message at the cursor: a stage is internal, so it has none; the
      // next step's packet is drawn.
      await shot('2-handler-chain');

      // Step 6: the scheduler's verdicts, per node, and the winner.
      const verdicts = page.getByTestId('scheduler-verdicts');
      await stepUntil(page, 'step 6', async () => (await verdicts.count()) > 0);
      const text = await verdicts.textContent();
      for (const node of ['control-plane', 'worker-1', 'worker-2']) assert.match(text, new RegExp(node));
      assert.match(text, /TaintToleration/);
      assert.match(text, /✕ UnschedulableAndUnresolvable: node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/control-plane: \}/);
      assert.match(text, /✓ pass/);
      assert.match(text, /total/);
      const winner = verdicts.locator('th[data-winner="true"]');
      assert.equal(await winner.count(), 1, 'one winner');
      const chosen = await winner.getAttribute('data-node');
      assert.match(chosen, /^worker-[12]$/);
      assert.match(await winner.textContent(), /chosen/);
      await shot('3-scheduler-verdicts');

      // A packet travels on the next network message, animated along its edge.
      const packet = page.getByTestId('diagram-packet');
      await stepUntil(page, 'a packet', async () => (await packet.count()) > 0);
      assert.match(await packet.getAttribute('data-kind'), /^(request|response|watch|etcd|cri|input)$/);
      assert.match(await packet.evaluate((el) => getComputedStyle(el).animationName), /^pkt-\d+/);
      // Step 9: the bound pod's event fans out to every watcher, the kubelet among them.
      await stepUntil(page, 'a watch event to a kubelet and others', async () =>
        (await packet.count()) > 0 && (await packet.getAttribute('data-kind')) === 'watch'
        && (await page.locator('.packet.kind-watch').count()) >= 3
        && /kube-apiserver → kubelet\/worker/.test(await page.getByTestId('trace-list').locator('li').first().textContent()));
      assert.match(await packet.getAttribute('aria-label'), /^watch event to \d+ watchers: watch event ADDED Pod web-/);
      await shot('4a-watch-fan-out');

      // Run to the end of the command, then let half a minute pass so the images are pulled.
      await page.getByRole('button', { name: 'Jump to the end' }).click();
      await runLine(page, 'sim advance 30s');
      await page.getByRole('button', { name: 'Jump to the end' }).click();
      const pods = page.locator('[data-testid^="pod-web-"]');
      await page.waitForFunction(() => document.querySelectorAll('[data-testid^="pod-web-"][data-phase="Running"]').length === 2);
      assert.equal(await pods.count(), 2);
      const nodes = new Set();
      for (const pod of await pods.all()) {
        assert.equal(await pod.getAttribute('data-phase'), 'Running');
        assert.match(await pod.textContent(), /Running/, 'the phase is written, not only coloured');
        // Drawn inside a worker node's frame.
        const box = await pod.boundingBox();
        const node = await page.evaluate(({ x, y }) => {
          for (const n of document.querySelectorAll('.node.worker')) {
            const r = n.querySelector('rect').getBoundingClientRect();
            if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return n.dataset.node;
          }
          return null;
        }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
        assert.match(node ?? '', /^worker-[12]$/, 'on a worker');
        nodes.add(node);
      }
      assert.equal(nodes.size, 2, 'one pod per zone');
      await shot('5-pods-running');
    },
  },
  {
    name: 'a refused request stops red at its stage, and nothing moves with reduced motion',
    async run({ page, url, shot }) {
      await page.emulateMedia({ reducedMotion: 'reduce' });
      await page.goto(url);
      await diagram(page).waitFor();
      await runLine(page, 'kubectl create deployment Web --image=nginx');
      const refused = page.locator('[data-testid^="handler-stage-"][data-state="refused"]');
      await stepUntil(page, 'the refusal', async () => (await refused.count()) > 0);
      assert.equal(await refused.getAttribute('data-testid'), 'handler-stage-validation');
      assert.equal(await refused.getAttribute('aria-current'), 'step');
      assert.match(await refused.textContent(), /422 Deployment\.apps "Web" is invalid: metadata\.name: Invalid value: "Web"/);
      await shot('6-refused');
      // The answer goes back to kubectl: the packet sits at the receiver, not animated.
      await stepUntil(page, 'the answer', async () => (await page.getByTestId('diagram-packet').count()) > 0);
      const packet = page.getByTestId('diagram-packet');
      assert.equal(await packet.getAttribute('data-kind'), 'response');
      assert.equal(await packet.evaluate((el) => getComputedStyle(el).animationName), 'none');
      assert.equal(await refused.getAttribute('data-testid'), 'handler-stage-validation', 'still red on the answer');
      await shot('7-reduced-motion');
    },
  },
  {
    name: 'narrow screens still show the diagram',
    viewport: { width: 800, height: 900 },
    async run({ page, url, shot }) {
      await page.goto(url);
      await diagram(page).waitFor();
      const box = await diagram(page).boundingBox();
      assert.ok(box.width <= 800, `fits the width (${box.width})`);
      await shot('8-narrow');
    },
  },
];

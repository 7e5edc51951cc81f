// The narration panel: after a typed `kubectl create deployment`, each Step shows what the
// message is (step badge or background kind), why it happens, and the real message in tabs.
import assert from 'node:assert/strict';

const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();

async function step(page) {
  await page.getByTestId('step').click();
}

/** Steps until the narration's badge matches `re` (at most `max` messages). */
async function stepUntil(page, re, max = 60) {
  for (let i = 0; i < max; i++) {
    await step(page);
    if (re.test(await text(page, 'narration-step'))) return;
  }
  throw new Error(`no narration matching ${re} within ${max} steps`);
}

export const tests = [
  {
    name: 'stepping a typed kubectl command narrates step 1 as its POST',
    async run({ page, url, shot }) {
      await page.goto(`${url}?seed=7`);
      await page.getByTestId('narration').waitFor();
      await page.getByTestId('console-input').fill('kubectl create deployment web --image=nginx');
      await page.getByTestId('console-input').press('Enter');
      // The console ran it to its end; back to where it was typed, to step through it.
      await page.getByRole('button', { name: 'Back to where you last acted' }).click();

      // The first delivery is the command itself, handed to kubectl.
      await step(page);
      assert.match(await text(page, 'narration-step'), /Background · your command/);
      assert.match(await text(page, 'narration-headline'), /kubectl create deployment web/);

      // Then kubectl's request: step 1, a POST as -v=8 logs it.
      await step(page);
      assert.match(await text(page, 'narration-step'), /Step 1 · kubectl sends/);
      assert.match(await text(page, 'narration-headline'), /^kubectl → kube-apiserver: POST Deployment web/);
      assert.match(await text(page, 'narration-why'), /only component that reads or writes/);
      const message = page.getByTestId('narration-message');
      assert.match(await message.textContent(), /POST https:\/\/172\.18\.0\.2:6443\/apis\/apps\/v1\/namespaces\/default\/deployments/);
      await message.getByRole('tab', { name: /Body/ }).click();
      assert.match(await message.getByRole('tabpanel').textContent(), /"kind": "Deployment"/);
      assert.ok(await page.getByTestId('narration-note').isVisible());
      await shot('narration-step1');

      // Step 2 begins with the etcd write: its key and the value stored.
      await stepUntil(page, /Step 2/);
      assert.match(await message.textContent(), /key: \/registry\/deployments\/default\/web/);
      await message.getByRole('tab', { name: 'Value' }).click();
      assert.match(await message.getByRole('tabpanel').textContent(), /"name": "web"/);
      assert.match(await text(page, 'narration-note'), /protobuf/);
      await shot('narration-step2-etcd');

      // The panel never widens the page.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(overflow, false, 'the page scrolls sideways');
      await page.setViewportSize({ width: 800, height: 900 });
      await shot('narration-narrow');
      const narrow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      assert.equal(narrow, false, 'the narrow page scrolls sideways');
    },
  },
];

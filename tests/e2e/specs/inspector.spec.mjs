// The etcd inspector (issue 8): apply the default Deployment, jump to step 2 (etcd's write),
// open /registry/deployments/default/web in the key tree and see the revision just written and
// its value; go on and see its history grow and diff two revisions; leases counting down on the
// simulation's clock; the watches the write fans out to lit; Compact and Save snapshot as
// console lines. Screenshots at each.
import assert from 'node:assert/strict';

const KEY = '/registry/deployments/default/web';
const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();
const num = async (page, id) => Number(await text(page, id));

export const tests = [
  {
    name: 'a Deployment in etcd: key, value, history, diff, leases, lit watches, compaction',
    viewport: { width: 1440, height: 900 },
    async run({ page, url, shot }) {
      await page.goto(url);
      await page.getByTestId('editor-apply').click();
      await page.locator('.tracker li[data-step="2"] button').click();
      assert.equal(await page.locator('.tracker li[data-step="2"]').getAttribute('data-state'), 'current');

      const panel = page.getByTestId('inspector');
      await panel.scrollIntoViewIfNeeded();
      // The tree opens on /registry/, with counts; folders open by keyboard too.
      const deployments = page.getByTestId('inspector-folder-/registry/deployments/');
      assert.equal(await deployments.getAttribute('aria-expanded'), 'false');
      await deployments.focus();
      await page.keyboard.press('Enter');
      assert.equal(await deployments.getAttribute('aria-expanded'), 'true');
      await page.getByTestId('inspector-folder-/registry/deployments/default/').click();
      await page.getByTestId(`inspector-key-${KEY}`).click();

      // At step 2 etcd has just written the Deployment: its revision is the store's.
      const revision = await num(page, 'inspector-revision');
      assert.equal(await num(page, 'inspector-mod-revision'), revision);
      assert.equal(await num(page, 'inspector-create-revision'), revision);
      assert.equal(await num(page, 'inspector-version'), 1);
      assert.equal(await text(page, 'inspector-lease'), 'none');
      assert.match(await text(page, 'inspector-value'), /"name": "web"/);
      assert.equal(await page.getByTestId('inspector-history').locator('li').count(), 1);
      // The write fans out to kube-apiserver's watch on the deployments prefix, and no other.
      assert.match(await text(page, 'inspector-fanout'), new RegExp(`revision ${revision} \\(${KEY}\\) fans out to 1 watch\\.`));
      const lit = page.locator('[data-testid="inspector-watch"][data-lit="true"]');
      assert.equal(await lit.count(), 1);
      assert.match(await lit.textContent(), /kube-apiserver.*prefix \/registry\/deployments\//);
      await shot('1-step-2-key');

      // One message back: etcd has not written yet, nothing is lit.
      await page.getByTestId('step-back').click();
      assert.equal(await lit.count(), 0);
      assert.match(await text(page, 'inspector-fanout'), /not an etcd write/);
      assert.match(await text(page, 'inspector-details'), /holds no revision/);

      // On to the end of the run: controllers wrote the Deployment's status, the history grew.
      await page.keyboard.press('End');
      const history = page.getByTestId('inspector-history').locator('li');
      const revisions = await history.count();
      assert.ok(revisions >= 2, `history grew: ${revisions}`);
      const first = await page.getByTestId('inspector-history-revision').first().getAttribute('data-revision');
      assert.equal(first, String(revision), 'the first revision is the one written at step 2');
      await page.getByTestId('inspector-diff-from').selectOption(first);
      const diff = page.getByTestId('inspector-diff');
      assert.ok(await diff.locator('[data-diff="added"]').count() > 0);
      assert.match(await diff.locator('[data-diff="added"]').allTextContents().then((t) => t.join('')), /"availableReplicas": 2/);
      // Viewing an older revision shows its value.
      await page.getByTestId('inspector-history-revision').first().click();
      assert.doesNotMatch(await text(page, 'inspector-value'), /availableReplicas/);
      await shot('2-history-diff');

      // Leases: the events' lease counts down with the simulation's clock.
      const leaseRow = page.getByTestId('inspector-lease-row').first();
      const ttl = async () => Number((await leaseRow.getByTestId('lease-ttl').textContent()).match(/^(\d+)s/)[1]);
      const before = await ttl();
      assert.ok(before > 3000 && before <= 3660, `events lease TTL ${before}`);
      assert.equal(await page.getByTestId('inspector-heartbeat').count(), 3);
      const input = page.getByTestId('console-input');
      await input.fill('sim advance 60s');
      await input.press('Enter');
      // The cursor stays before the jump in time, as after any action: step on past it.
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('End');
      const after = await ttl();
      assert.ok(before - after >= 59, `TTL ${before} then ${after}`);
      await panel.scrollIntoViewIfNeeded();
      await shot('3-leases');

      // Compact: a console line; the key keeps only its latest revision.
      await page.getByTestId('inspector-compact').click();
      assert.ok(await num(page, 'inspector-compacted') > 0);
      assert.equal(await history.count(), 1);
      assert.match(await page.getByTestId('console-output').textContent(), /\$ sim compact/);
      // Save snapshot: etcdctl through the console; restore is said to be unavailable.
      await page.getByTestId('inspector-snapshot-save').click();
      assert.match(await page.getByTestId('console-output').textContent(), /Snapshot saved at snap\.db/);
      assert.equal(await page.getByTestId('inspector-snapshot-restore').isDisabled(), true);
      await panel.scrollIntoViewIfNeeded();
      await shot('4-compacted');
    },
  },
];

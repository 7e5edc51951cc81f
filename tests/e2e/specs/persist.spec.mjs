// The session kept and shared (issue 8): what the learner did survives a reload exactly (cursor,
// console, editor, trace hash); Export then Import in a fresh browser gives the same session; a
// corrupt or foreign file is refused with its error and changes nothing; a permalink opened in a
// fresh browser replays the same run to the same cursor, and is not stored until the learner
// acts; a stored session that cannot be read is kept aside and the page starts fresh, saying so.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

const SEED = 9;
const SHOTS = 'test-results/screenshots';
const KEY = 'kubestep.session';
const text = async (page, id) => (await page.getByTestId(id).textContent()).trim();

/** What the learner sees of the session: cursor, trace hash, console, editor. */
async function snapshot(page) {
  return {
    position: await text(page, 'position'),
    hash: await text(page, 'trace-hash'),
    console: await page.getByTestId('console-entry').evaluateAll((entries) =>
      entries.map((e) => e.textContent),
    ),
    editor: await page.getByTestId('editor-input').inputValue(),
  };
}

const stored = (page) => page.evaluate((key) => localStorage.getItem(key), KEY);

/** Waits until the stored session holds `n` actions and has been quiet past the debounce. */
async function savedWith(page, n) {
  await page.waitForFunction(
    ([key, n]) => {
      const s = localStorage.getItem(key);
      return s !== null && JSON.parse(s).entries.length === n;
    },
    [KEY, n],
  );
  await page.waitForTimeout(700);
}

/** A session with a fork in it: an edited Apply, steps, a console line, steps back, another. */
async function act(page, url) {
  await page.goto(`${url}?seed=${SEED}`);
  const editor = page.getByTestId('editor-input');
  await editor.fill((await editor.inputValue()).replace('replicas: 2', 'replicas: 3'));
  await page.getByTestId('editor-apply').click();
  for (let i = 0; i < 25; i++) await page.getByTestId('step').click();
  const input = page.getByTestId('console-input');
  await input.fill('kubectl get deployments');
  await input.press('Enter');
  for (let i = 0; i < 12; i++) await page.getByTestId('step-back').click();
  await input.fill('kubectl get pods -o wide');
  await input.press('Enter');
  for (let i = 0; i < 4; i++) await page.getByTestId('step-back').click();
  await savedWith(page, 3);
}

async function openMenu(page) {
  if ((await page.getByTestId('session-menu').getAttribute('open')) === null) {
    await page.locator('.session-menu > summary').click();
  }
}

export const tests = [
  {
    name: 'a reload restores the same cursor, console, editor, history, settings and trace hash',
    async run({ page, url, shot }) {
      await act(page, url);
      await page.getByTestId('pod-only').check();
      await page.waitForTimeout(700);
      const before = await snapshot(page);
      assert.match(before.editor, /replicas: 3/);
      assert.equal(before.console.length, 3, 'the Apply and two lines');
      await shot('before-reload');

      await page.reload();
      await page.getByTestId('trace-hash').waitFor();
      assert.deepEqual(await snapshot(page), before);
      assert.equal(await page.getByTestId('pod-only').isChecked(), true);
      assert.equal(await page.getByTestId('session-notice').count(), 0);
      // The prompt's history is back too.
      const input = page.getByTestId('console-input');
      await input.press('ArrowUp');
      assert.equal(await input.inputValue(), 'kubectl get pods -o wide');
      await shot('after-reload');
    },
  },
  {
    name: 'Export, then Import in a fresh browser, gives the same session',
    async run({ page, url, browser, shot }) {
      await act(page, url);
      const before = await snapshot(page);
      await openMenu(page);
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('session-export').click(),
      ]);
      assert.equal(download.suggestedFilename(), 'kubestep-session.json');
      const file = await readFile(await download.path(), 'utf8');
      assert.match(file, /^\{"kubestep":1,"seed":9,"entries":\[/);
      await shot('export');

      const fresh = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      try {
        const other = await fresh.newPage();
        const errors = [];
        other.on('pageerror', (e) => errors.push(e.message));
        await other.goto(url);
        assert.notEqual(await text(other, 'trace-hash'), before.hash);
        await openMenu(other);
        await other.getByTestId('session-import').setInputFiles({
          name: 'kubestep-session.json', mimeType: 'application/json', buffer: Buffer.from(file),
        });
        await other.waitForFunction((hash) =>
          document.querySelector('[data-testid="trace-hash"]')?.textContent === hash, before.hash);
        assert.deepEqual(await snapshot(other), before);
        assert.equal(await other.getByTestId('session-error').count(), 0);
        // The imported session is now the stored one.
        await savedWith(other, 3);
        assert.equal(JSON.parse(await stored(other)).seed, SEED);
        await other.screenshot({ path: `${SHOTS}/persist-imported.png`, fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await fresh.close();
      }
    },
  },
  {
    name: 'a corrupt or foreign file is refused with its error and the session is untouched',
    async run({ page, url, shot }) {
      await act(page, url);
      const before = await snapshot(page);
      const storedBefore = await stored(page);
      await openMenu(page);
      const good = JSON.parse(storedBefore);
      const files = [
        ['kubestep-session.json', '{"kubestep":1,"seed":9,"entr', /^kubestep-session\.json: not JSON: EOF while parsing/],
        ['package.json', '{"name":"kubestep","version":"0.1.0"}', /^package\.json: not a kubestep session \(no "kubestep" format version\)\.$/],
        ['future.json', JSON.stringify({ ...good, kubestep: 2 }), /^future\.json: saved by a newer kubestep \(format 2; this page reads format 1\)\.$/],
        ['bad-entry.json', JSON.stringify({ ...good, entries: [{ at: 1, action: { kind: 'format_disk' } }] }), /^bad-entry\.json: entry 0: unknown variant `format_disk`/],
      ];
      for (const [name, body, message] of files) {
        await page.getByTestId('session-import').setInputFiles({
          name, mimeType: 'application/json', buffer: Buffer.from(body),
        });
        await page.getByTestId('session-error').waitFor();
        await page.waitForFunction((name) =>
          document.querySelector('[data-testid="session-error"]').textContent.startsWith(name), name);
        assert.match(await text(page, 'session-error'), message);
        if (name === 'kubestep-session.json') await shot('corrupt-refused');
        assert.deepEqual(await snapshot(page), before, `${name} changed nothing`);
      }
      await page.waitForTimeout(700);
      assert.equal(await stored(page), storedBefore);
    },
  },
  {
    name: 'a permalink opened in a fresh browser replays the same run to the same cursor',
    async run({ page, url, browser, shot }) {
      await act(page, url);
      const before = await snapshot(page);
      await openMenu(page);
      await page.getByTestId('session-copy-link').click();
      const link = await page.getByTestId('session-link').inputValue();
      assert.ok(link.startsWith(`${url}?seed=${SEED}#s=`), link.slice(0, 80));
      await shot('copy-link');

      const fresh = await browser.newContext({ viewport: { width: 1366, height: 768 } });
      try {
        const other = await fresh.newPage();
        const errors = [];
        other.on('pageerror', (e) => errors.push(e.message));
        await other.goto(link);
        await other.getByTestId('trace-hash').waitFor();
        assert.deepEqual(await snapshot(other), before);
        // Looking around does not store it…
        await other.getByTestId('step').click();
        await other.waitForTimeout(700);
        assert.equal(await stored(other), null);
        // …acting does, and the address loses the link.
        const input = other.getByTestId('console-input');
        await input.fill('kubectl get nodes');
        await input.press('Enter');
        await savedWith(other, 4);
        assert.ok(!other.url().includes('#s='), other.url());
        await other.screenshot({ path: `${SHOTS}/persist-link-opened.png`, fullPage: true });
        assert.deepEqual(errors, []);
      } finally {
        await fresh.close();
      }
    },
  },
  {
    name: 'a stored session that cannot be read is kept aside and the page starts fresh, saying so',
    async run({ page, url, shot }) {
      await page.goto(`${url}?seed=${SEED}`);
      const fresh = await snapshot(page);
      // The fresh session has been saved; something then damages it.
      await page.waitForFunction((key) => localStorage.getItem(key) !== null, KEY);
      await page.evaluate((key) => localStorage.setItem(key, '{"kubestep":1,"seed":9,"entries":"oops"}'), KEY);
      await page.reload();
      const notice = page.getByTestId('session-notice');
      await notice.waitFor();
      assert.match(await notice.textContent(),
        /The saved session could not be opened \(a damaged kubestep session: "entries" is not a list\); it is kept aside in this browser's storage as "kubestep\.session\.unreadable"\. A fresh session has started\./);
      assert.equal(
        await page.evaluate(() => localStorage.getItem('kubestep.session.unreadable')),
        '{"kubestep":1,"seed":9,"entries":"oops"}',
      );
      assert.deepEqual(await snapshot(page), fresh);
      await shot('unreadable-kept-aside');
      await page.getByRole('button', { name: 'Dismiss' }).click();
      assert.equal(await notice.count(), 0);
    },
  },
];

// The YAML editor as a learner uses it: the page opens on the nginx Deployment; a syntax error
// typed into it is marked at its line before anything is sent; the invalid Pod template,
// applied and run to the end, comes back from the API server as 422 causes marked at the lines
// of their fields, with the server's text.
import assert from 'node:assert/strict';

/** The editor's diagnostics as [line, text] pairs. */
async function diagnostics(page) {
  return page.getByTestId('editor-diagnostic').evaluateAll((items) =>
    items.map((li) => [Number(li.dataset.line), li.querySelector('.message').textContent]),
  );
}

/** Puts the caret at the end of 1-based `line` of the editor. */
async function caretAtEndOfLine(input, line) {
  await input.evaluate((el, line) => {
    const lines = el.value.split('\n');
    const at = lines.slice(0, line).join('\n').length;
    el.focus();
    el.setSelectionRange(at, at);
  }, line);
}

export const tests = [
  {
    name: 'syntax errors are marked as typed; the server\'s 422 is mapped to the fields\' lines',
    async run({ page, url, shot }) {
      await page.goto(`${url}?seed=5`);
      const input = page.getByTestId('editor-input');
      const picker = page.getByTestId('editor-template');
      const list = page.getByTestId('editor-diagnostics');

      // The default: the small nginx Deployment, valid.
      const text = await input.inputValue();
      assert.match(text, /^# A Deployment keeps 2 nginx Pods running/);
      assert.match(text, /\nkind: Deployment\n/);
      assert.equal(await picker.inputValue(), 'Deployment (nginx)');
      assert.match(await list.textContent(), /No problems found · 1 document/);
      assert.equal(await page.getByLabel('Template').count(), 1);
      assert.equal(await page.getByRole('textbox', { name: 'YAML manifest' }).count(), 1);

      // The textarea lies exactly over the highlighted text: same font, line height, padding.
      const metrics = await page.evaluate(() => {
        const pick = (el) => {
          const s = getComputedStyle(el);
          return [s.fontFamily, s.fontSize, s.lineHeight, s.paddingTop, s.paddingLeft, s.tabSize];
        };
        return [pick(document.querySelector('.editor-input')), pick(document.querySelector('.editor-highlight'))];
      });
      assert.deepEqual(metrics[0], metrics[1]);
      await shot('default');

      // A syntax error typed on line 6 (`  name: web`): marked there before anything is sent,
      // and the caret stays where the typing left it.
      const lines = text.split('\n');
      assert.equal(lines[5], '  name: web');
      await caretAtEndOfLine(input, 6);
      await page.keyboard.type(' image: x');
      const caret = await input.evaluate((el) => el.selectionStart);
      assert.equal(caret, lines.slice(0, 6).join('\n').length + ' image: x'.length);
      const syntax = await diagnostics(page);
      assert.deepEqual(syntax, [
        [6, 'error converting YAML to JSON: yaml: line 6: mapping values are not allowed in this context'],
      ]);
      assert.equal(await page.locator('.gutter-line.has-diagnostic').textContent(), '●6');
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
      await shot('syntax-error');

      // Tab indents by two spaces; Backspace undoes the error.
      await page.keyboard.press('Tab');
      assert.equal((await input.inputValue()).split('\n')[5], '  name: web image: x  ');
      for (let i = 0; i < ' image: x  '.length; i++) await page.keyboard.press('Backspace');
      assert.equal(await input.inputValue(), text);
      assert.match(await list.textContent(), /No problems found/);

      // The invalid Pod, applied as the admin and run to the end.
      await picker.selectOption('Invalid Pod');
      const invalid = await input.inputValue();
      assert.match(invalid, /name: MyPod/);
      await page.getByTestId('editor-apply').click();
      await page.getByRole('button', { name: 'Jump to the end' }).click();
      await page.getByTestId('console-output').getByText('The Pod "MyPod" is invalid').waitFor();
      const lineOf = (needle) => invalid.split('\n').findIndex((l) => l.includes(needle)) + 1;
      const server = await diagnostics(page);
      assert.equal(server.length, 2, JSON.stringify(server));
      assert.equal(server[0][0], lineOf('name: MyPod'));
      assert.match(server[0][1], /^metadata\.name: Invalid value: "MyPod": a lowercase RFC 1123 subdomain must consist of/);
      assert.deepEqual(server[1], [lineOf('- name: web'), 'spec.containers[0].image: Required value']);
      assert.equal(await page.locator('.editor-diagnostics .server').count(), 2);
      await shot('server-errors');

      // A diagnostic's place, clicked, puts the caret on its line.
      await page.getByRole('button', { name: `Line ${lineOf('- name: web')}, column 5: go there` }).click();
      const at = await input.evaluate((el) => el.value.slice(0, el.selectionStart).split('\n').length);
      assert.equal(at, lineOf('- name: web'));

      // Stacked on a narrow screen.
      await page.setViewportSize({ width: 800, height: 900 });
      await shot('narrow');
    },
  },
];

// The page's console and `kubestep console` are one engine (console::Session): the same kubectl
// lines typed into the page print exactly what the native binary prints for them, and leave
// the same trace.
import assert from 'node:assert/strict';

const SEED = 3;

// One line each, as a learner types them at the prompt (a manifest comes through echo).
const LINES = [
  'kubectl get nodes',
  'kubectl get pods -A -o wide',
  'kubectl get podz',
  `echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed"},"data":{"k":"v"}}' | kubectl apply -f -`,
  'kubectl get configmaps',
  'kubectl delete configmap typed',
  'timeout 5s kubectl get pods -A -w',
  'kubectl get pod nope',
];

/** The page's console as a transcript: `$ line`, then its output, ending in a newline. */
async function pageTranscript(page) {
  return page.getByTestId('console-entry').evaluateAll((entries) =>
    entries
      .map((e) => {
        const cmd = e.querySelector('.cmd').textContent;
        const out = e.querySelector('pre.out')?.textContent ?? '';
        return `${cmd}\n${out}${out && !out.endsWith('\n') ? '\n' : ''}`;
      })
      .join(''),
  );
}

export const tests = [
  {
    name: 'kubectl lines typed into the page print what kubestep console prints',
    async run({ page, url, native, shot }) {
      const script = LINES.join('\n') + '\n';
      const expected = native(['console', '--seed', String(SEED)], script);
      const expectedHash = native(['trace-hash', '--seed', String(SEED)], script).trim();
      assert.match(expected, /^\$ kubectl get nodes\nNAME +STATUS/);

      await page.goto(`${url}?seed=${SEED}`);
      const input = page.getByTestId('console-input');
      for (const line of LINES) {
        await input.fill(line);
        await input.press('Enter');
      }
      // Each line ran to its end before the next, as in a terminal: the page's cursor is
      // where the last one finished.
      await shot('console-transcript');
      assert.equal(await pageTranscript(page), expected);
      assert.equal(await page.getByTestId('trace-hash').textContent(), expectedHash);

      // Up arrow brings the last line back, as a shell's history does.
      await input.press('ArrowUp');
      assert.equal(await input.inputValue(), LINES[LINES.length - 1]);
      await input.press('ArrowUp');
      assert.equal(await input.inputValue(), LINES[LINES.length - 2]);
      await input.press('ArrowDown');
      await input.press('ArrowDown');
      assert.equal(await input.inputValue(), '');
    },
  },
];

// The page's budgets, measured in headless Chromium (a benchmark: it prints numbers, it does
// not pass or fail): time to usable, a step's latency from click to painted frame (forward and
// back), and frames per second while playing. Run: node tests/e2e/bench/page.mjs [dist]
import { chromium } from 'playwright-core';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../serve.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dist = process.argv[2] ?? join(root, 'dist');
const server = await serve(dist);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
  headless: true,
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (x) => x.toFixed(1).padStart(7);

// Usable: the tracker, the diagram and the console prompt are on the page.
const runs = [];
for (let i = 0; i < 5; i++) {
  const t0 = Date.now();
  await page.goto(server.url);
  await page.getByTestId('console-input').waitFor();
  await page.getByTestId('tracker').waitFor();
  runs.push(Date.now() - t0);
}
console.log(`usable after navigation    median ${fmt(pct(runs, 50))} ms   worst ${fmt(Math.max(...runs))} ms  (5 loads)`);

// A Deployment's flow to step through.
await page.getByTestId('console-input').fill('kubectl create deployment web --image=nginx --replicas=3');
await page.getByTestId('console-input').press('Enter');
await page.getByTestId('position').waitFor();
await page.keyboard.press('Home');

/** Click `testid` n times; each sample is click to the frame after the next paint. */
async function stepLatency(testid, n) {
  return page.evaluate(async ({ testid, n }) => {
    const el = document.querySelector(`[data-testid="${testid}"]`);
    const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
    const out = [];
    for (let i = 0; i < n; i++) {
      await frame();
      const t0 = performance.now();
      el.click();
      await frame();
      out.push(performance.now() - t0);
    }
    return out;
  }, { testid, n });
}
const fwd = await stepLatency('step', 200);
console.log(`step forward (x200)        p50 ${fmt(pct(fwd, 50))} ms   p95 ${fmt(pct(fwd, 95))} ms   max ${fmt(Math.max(...fwd))} ms`);
const back = await stepLatency('step-back', 200);
console.log(`step back (x200)           p50 ${fmt(pct(back, 50))} ms   p95 ${fmt(pct(back, 95))} ms   max ${fmt(Math.max(...back))} ms`);

// Playing at 30 messages per second for 4 s: frames painted and long frames.
await page.getByLabel('Playback speed').selectOption('30');
const fps = await page.evaluate(async () => {
  const play = document.querySelector('[data-testid="play"]');
  play.click();
  const frames = [];
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = (t) => {
      frames.push(t);
      if (t - t0 < 4000) requestAnimationFrame(tick);
      else resolve();
    };
    requestAnimationFrame(tick);
  });
  play.click();
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  return { fps: (frames.length - 1) / ((frames.at(-1) - frames[0]) / 1000), long: gaps.filter((g) => g > 50).length, worst: Math.max(...gaps) };
});
console.log(`playing at 30 msg/s (4 s)  ${fps.fps.toFixed(1)} fps   frames over 50 ms: ${fps.long}   worst frame ${fps.worst.toFixed(1)} ms`);

await browser.close();
await server.close();

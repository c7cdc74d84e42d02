// The monitors' own rules: the schedule (a fake clock: no drift accumulates, a slow check is never run twice
// at once, at most `concurrency` in flight) and content integrity (markup, scripts, clocks and ignored lines do
// not count; a changed result does).
import { describe, expect, it } from 'vitest';
import { contentDiff, contentHash, meaningfulLines } from './content.js';
import { Scheduler } from './scheduler.js';

describe('the schedule', () => {
  it('plans each check from the last plan, skips a turn while a check still runs, and caps what runs at once', async () => {
    let now = 5;
    const started: Array<[string, number]> = [];
    const finish: Array<() => void> = [];
    const s = new Scheduler<{ id: string; intervalMs: number }>(
      (item, planned) => {
        started.push([item.id, planned]);
        return new Promise<void>((r) => finish.push(r));
      },
      { concurrency: 2, now: () => now },
    );
    s.add({ id: 'a', intervalMs: 10_000 }, 0);
    s.add({ id: 'b', intervalMs: 10_000 }, 1);
    s.add({ id: 'c', intervalMs: 10_000 }, 2);
    s.start();
    await new Promise((r) => setTimeout(r, 5));
    expect(started.map(([id]) => id)).toEqual(['a', 'b']);
    expect(s.running).toBe(2);
    finish.shift()!();
    await new Promise((r) => setTimeout(r, 5));
    expect(started.map(([id]) => id)).toEqual(['a', 'b', 'c']);
    // 25 s later: b and c never finished, so their turns at 10 s and 20 s are skipped; a runs on its plan.
    finish.shift()!();
    now = 25_000;
    (s as unknown as { tick: () => void }).tick();
    await new Promise((r) => setTimeout(r, 5));
    const aRuns = started.filter(([id]) => id === 'a').map(([, planned]) => planned);
    expect(aRuns).toEqual([0, 20_000]);
    expect(s.skipped).toBeGreaterThan(0);
    s.stop();
  });

  it('measures how late each check starts against its plan', async () => {
    const s = new Scheduler<{ id: string; intervalMs: number }>(async () => undefined, { concurrency: 10 });
    for (let i = 0; i < 50; i += 1) s.add({ id: String(i), intervalMs: 1000 }, Date.now() + 20);
    s.start();
    await new Promise((r) => setTimeout(r, 300));
    s.stop();
    expect(s.drift.size).toBe(50);
    expect(s.drift.percentile(50)).toBeLessThan(200);
  });
});

describe('content integrity', () => {
  const page = (results: string, clock: string, visitors: number) =>
    `<html><head><title>Results</title><style>p{color:red}</style><script>var now = ${Math.random()};</script></head><body><!-- build 42 --><h1>Unofficial results</h1><p>Last updated ${clock}</p><p>${results}</p><footer>Visitors: ${visitors} &amp; counting</footer></body></html>`;

  it('ignores markup, scripts, clocks and the lines the office names, and catches a changed result', () => {
    const a = meaningfulLines(page('Candidate A: 1,204', '10:42 PM EST on Nov 3, 2026', 17), ['visitors']);
    const b = meaningfulLines(page('Candidate A: 1,204', '11:05:09 PM EST on November 3, 2026', 18), ['visitors']);
    expect(a).toEqual(['Results', 'Unofficial results', 'Last updated ⟨time⟩ on ⟨time⟩', 'Candidate A: 1,204']);
    expect(contentHash(a)).toBe(contentHash(b));
    const c = meaningfulLines(page('Candidate A: 204', '11:06 PM EST on Nov 3, 2026', 19), ['visitors']);
    expect(contentHash(c)).not.toBe(contentHash(a));
    expect(contentDiff(a, c)).toEqual({ removed: ['Candidate A: 1,204'], added: ['Candidate A: 204'] });
  });

  it('decodes entities and keeps the order of repeated lines', () => {
    expect(meaningfulLines('<p>Polls close at 7&#58;00</p><p>A&nbsp;&lt;B&gt;</p>')).toEqual(['Polls close at ⟨time⟩', 'A <B>']);
    expect(contentDiff(['x', 'x'], ['x'])).toEqual({ removed: ['x'], added: [] });
  });
});

/** bench/lib/soak.ts: the soak run's RSS series, from a process's samples. */
import { soakSeries } from '../../bench/lib/soak';

const samples = (mbs: number[], from = 1000, every = 1000) => mbs.map((mb, i) => ({ t: from + i * every, rssMb: mb }));

describe('soak series', () => {
  it('When memory is flat over the window, then the growth is about zero and the peak is the highest sample', () => {
    const s = soakSeries(samples([300, 302, 299, 301, 300, 305, 300, 301, 299, 300, 302, 300]), 1000, 12_000);
    expect(Math.abs(s.growthPct)).toBeLessThan(1);
    expect(s.peakMb).toBe(305);
    expect(s.points[0]).toEqual({ t: 0, mb: 300 });
  });

  it('When memory grows, then the last sixth against the first says by how much; samples outside the window are left out', () => {
    const s = soakSeries(samples([900, 100, 100, 110, 120, 130, 140, 150, 160, 170, 180, 200, 200, 900]), 2000, 13_000);
    expect(s.startMb).toBe(100);
    expect(s.endMb).toBe(200);
    expect(s.growthPct).toBe(100);
    expect(s.peakMb).toBe(200);
  });

  it('When there are many samples, then the series is thinned to at most 60 points', () => {
    const s = soakSeries(samples(Array.from({ length: 1000 }, () => 250)), 0, 2_000_000);
    expect(s.points.length).toBeLessThanOrEqual(60);
    expect(s.points.length).toBeGreaterThan(30);
  });
});

/**
 * A progress bar on a terminal (cli-progress), plain lines every few seconds otherwise (CI logs, pipes).
 */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(value: number, extra?: string): void;
  stop(): void;
}

export function progress(label: string, total: number, plainEveryMs = 10_000): Progress {
  if (process.stdout.isTTY) {
    const bar = new SingleBar(
      { format: `${label.padEnd(10)} [{bar}] {value}/{total} {percentage}% | {duration_formatted} | {extra}`, hideCursor: true, clearOnComplete: false, barsize: 30 },
      Presets.shades_classic,
    );
    bar.start(total, 0, { extra: '' });
    return {
      update: (value, extra = '') => bar.update(value, { extra }),
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let last = 0;
  let lastValue = -1;
  return {
    update(value, extra = '') {
      if (Date.now() - last < plainEveryMs && value < total) return;
      if (value === lastValue && value >= total) return;
      last = Date.now();
      lastValue = value;
      process.stdout.write(`${label}: ${value}/${total} (${Math.round((value / Math.max(1, total)) * 100)}%) after ${((Date.now() - started) / 1000).toFixed(0)} s ${extra}\n`);
    },
    stop: () => undefined,
  };
}

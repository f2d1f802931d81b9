/**
 * What Chorus says of public buyers (`describeBuyer`: 3 + N structure calls), kept for a while: a canteen gets
 * invoices from many producers every week, and its structure rarely changes. Forgotten when Chorus rejects a flow
 * addressed to it (a service or an engagement requirement may have changed), and after `ttlMs`. A concurrent
 * second lookup of the same buyer waits for the first instead of calling again.
 */
import type { BuyerDescription, ChorusClient } from './client';
import { RecentMap } from './recent-map';
import type { CallOptions } from './transport';

export interface BuyerDirectoryOptions {
  /** How long an answer is kept (0: never kept). */
  ttlMs: number;
  /** Buyers kept at most (least recently read dropped first). Default 10 000. */
  maxEntries?: number;
  now?: () => number;
}

export class BuyerDirectory {
  private readonly entries: RecentMap<string, { at: number; value: Promise<BuyerDescription> }>;
  private readonly now: () => number;

  constructor(
    private readonly client: ChorusClient,
    private readonly options: BuyerDirectoryOptions,
  ) {
    this.entries = new RecentMap(options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  async describe(siret: string, options?: CallOptions): Promise<BuyerDescription> {
    if (this.options.ttlMs <= 0) return this.client.describeBuyer(siret, options);
    const kept = this.entries.get(siret);
    if (kept && this.now() - kept.at < this.options.ttlMs) return kept.value;
    const value = this.client.describeBuyer(siret, options);
    this.entries.set(siret, { at: this.now(), value });
    // A failed lookup is not kept.
    value.catch(() => {
      if (this.entries.peek(siret)?.value === value) this.entries.delete(siret);
    });
    return value;
  }

  /** The next lookup asks Chorus again (a flow to this buyer was rejected). */
  forget(siret: string): void {
    this.entries.delete(siret);
  }
}

/**
 * "Rattachement": in Chorus Pro a technical account deposits only for the supplier structures it is attached
 * to; a flow whose seller is another structure is rejected. The check is one Transverses call for the whole
 * list, so it is cached briefly: asked when a producer opens his Chorus flow and again before each deposit.
 */
import type { ChorusClient } from './client';
import type { CallOptions } from './transport';

export interface SupplierAttachmentsOptions {
  /** How long one answer is trusted (default 5 min). */
  ttlMs?: number;
  now?: () => number;
}

export class SupplierAttachments {
  private readonly ttlMs: number;
  private readonly now: () => number;
  private cached: { sirets: Set<string>; at: number } | undefined;
  private pending: Promise<Set<string>> | undefined;

  constructor(
    private readonly client: ChorusClient,
    options: SupplierAttachmentsOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether the technical account may deposit for this SIRET (a miss is asked again, it may be new). */
  async isAttached(siret: string, options?: CallOptions): Promise<boolean> {
    const fresh = this.cached && this.now() - this.cached.at < this.ttlMs ? this.cached.sirets : undefined;
    if (fresh?.has(siret)) return true;
    return (await this.refresh(options)).has(siret);
  }

  private refresh(options?: CallOptions): Promise<Set<string>> {
    this.pending ??= this.client
      .recupererStructuresActivesFournisseur(options)
      .then((structures) => {
        const sirets = new Set(structures.flatMap((s) => (s.siret ? [s.siret] : [])));
        this.cached = { sirets, at: this.now() };
        return sirets;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

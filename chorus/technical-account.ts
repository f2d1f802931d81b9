/**
 * "Rattachement": in Chorus Pro a technical account deposits only for the supplier structures it is attached
 * to; a flow whose seller is another structure is rejected. The check is one Transverses call for the whole
 * list, so it is cached briefly: asked when a producer opens his Chorus flow and again before each deposit.
 *
 * The technical account's password also expires: `consulter` on a structure it is attached to carries
 * `dateExpirationMotPasseCompteTech` (official Structures Swagger; OCA reminds its users of it). Past that date
 * every call fails, so sending by Chorus is refused with a clear reason instead of failing flows.
 */
import type { ChorusClient } from './client';
import type { CallOptions } from './transport';
import type { StructureActive } from './wire';

export interface TechnicalAccountOptions {
  /** How long one answer is trusted (default 5 min). */
  ttlMs?: number;
  /** How long a failed read of the password expiry keeps `peekPasswordExpiry` from asking again (default 30 s). */
  failureTtlMs?: number;
  now?: () => number;
}

/** What is known of the password expiry without waiting for Chorus (see `peekPasswordExpiry`). */
export interface PasswordExpiryReading {
  /** The last value read (null: Chorus does not say); undefined when no read has succeeded yet. */
  value: string | null | undefined;
  /** When that value was read (ms). */
  readAt: number | undefined;
  /** When the last read failed, if it did and none succeeded since (ms). */
  failedAt: number | undefined;
  /** A read is under way. */
  refreshing: boolean;
}

export class TechnicalAccount {
  private readonly ttlMs: number;
  private readonly failureTtlMs: number;
  private readonly now: () => number;
  /** The attached structures, one read shared by the attachment check and the password expiry. */
  private structures: { list: StructureActive[]; at: number } | undefined;
  private pendingStructures: Promise<StructureActive[]> | undefined;
  private expiry: { value: string | null; at: number } | undefined;
  private pendingExpiry: Promise<string | null> | undefined;
  private expiryFailedAt: number | undefined;

  constructor(
    private readonly client: ChorusClient,
    options: TechnicalAccountOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 300_000;
    this.failureTtlMs = options.failureTtlMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** Whether the technical account may deposit for this SIRET (a miss is asked again, it may be new). */
  async isAttached(siret: string, options?: CallOptions): Promise<boolean> {
    const has = (list: StructureActive[]) => list.some((s) => s.siret === siret);
    if (this.structures && this.fresh(this.structures.at) && has(this.structures.list)) return true;
    return has(await this.refreshStructures(options));
  }

  /**
   * When the technical account's password expires (ISO date-time), or null when Chorus does not say; read from
   * the first supplier structure the account is attached to, cached like the attachments. A date already past
   * is asked again each time: a renewed password must count at once.
   */
  async passwordExpiresAt(options?: CallOptions): Promise<string | null> {
    const cached = this.expiry;
    const past = cached?.value != null && Date.parse(cached.value) <= this.now();
    if (cached && !past && this.fresh(cached.at)) return cached.value;
    this.pendingExpiry ??= this.readExpiry(options).finally(() => {
      this.pendingExpiry = undefined;
    });
    return this.pendingExpiry;
  }

  /**
   * The password expiry as last read, at once: never waits for Chorus. When the value is stale (or a past date,
   * or none yet) and no read failed within `failureTtlMs`, a read starts in the background, bounded by
   * `timeoutMs`, and the next caller sees its outcome. For probes (/readyz) that must answer while Chorus hangs.
   */
  peekPasswordExpiry(options: { timeoutMs: number }): PasswordExpiryReading {
    const cached = this.expiry;
    const past = cached?.value != null && Date.parse(cached.value) <= this.now();
    const stale = !cached || past || !this.fresh(cached.at);
    const failedRecently = this.expiryFailedAt !== undefined && this.now() - this.expiryFailedAt < this.failureTtlMs;
    if (stale && !failedRecently && !this.pendingExpiry) {
      // Failures are recorded by readExpiry; nothing waits on this promise.
      this.passwordExpiresAt({ signal: AbortSignal.timeout(options.timeoutMs) }).catch(() => undefined);
    }
    return { value: cached?.value, readAt: cached?.at, failedAt: this.expiryFailedAt, refreshing: this.pendingExpiry !== undefined };
  }

  /** Whether the password has expired (false when Chorus does not say). */
  async passwordExpired(options?: CallOptions): Promise<boolean> {
    const expiresAt = await this.passwordExpiresAt(options);
    return expiresAt !== null && Date.parse(expiresAt) <= this.now();
  }

  private fresh(at: number): boolean {
    return this.now() - at < this.ttlMs;
  }

  private async readExpiry(options?: CallOptions): Promise<string | null> {
    try {
      const list = this.structures && this.fresh(this.structures.at) ? this.structures.list : await this.refreshStructures(options);
      const [first] = list;
      const detail = first ? await this.client.consulterStructure(first.idStructureCPP, options) : undefined;
      const value = detail?.informationGenerales.dateExpirationMotPasseCompteTech ?? null;
      this.expiry = { value, at: this.now() };
      this.expiryFailedAt = undefined;
      return value;
    } catch (error) {
      this.expiryFailedAt = this.now();
      throw error;
    }
  }

  private refreshStructures(options?: CallOptions): Promise<StructureActive[]> {
    this.pendingStructures ??= this.client
      .recupererStructuresActivesFournisseur(options)
      .then((list) => {
        this.structures = { list, at: this.now() };
        return list;
      })
      .finally(() => {
        this.pendingStructures = undefined;
      });
    return this.pendingStructures;
  }
}

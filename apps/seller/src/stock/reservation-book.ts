import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

/** Reservations whose record revision this process remembers (a few MB). */
const RECENT_RESERVATIONS = 4096;

/**
 * A stock reservation as the seller remembers it. `voided`: the saga released an order before the
 * seller had reserved it (a step it gave up on); a late reserve is refused.
 */
export interface Reservation {
  orderId: string;
  reservationId: string;
  status: 'reserved' | 'unavailable' | 'released' | 'voided';
  sku?: string;
  reason?: string;
}

/** The seller's reservations (KV bucket `seller-reservations`), keyed by orderId. */
@Injectable()
export class ReservationBook implements OnModuleInit {
  private kv!: JsonKv<Reservation>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    // A release mostly follows our own reservation of the order: no read of it first.
    this.kv = await JsonKv.open(this.nats.js, 'seller-reservations', {}, { recentKeys: RECENT_RESERVATIONS });
  }

  /**
   * The order's reservation as this process last knew it (or read); `markReleased` writes against
   * that revision and reads again if it moved on.
   */
  async get(orderId: string): Promise<Reservation | undefined> {
    return (await this.kv.getRecent(orderId))?.value;
  }

  /** The first outcome for an order wins; a retry gets it back unchanged. */
  recordOnce(reservation: Reservation): Promise<Reservation> {
    return this.kv.putIfAbsent(reservation.orderId, reservation);
  }

  /** Voids an order the seller has not seen; returns what it holds for the order afterwards. */
  voidIfAbsent(orderId: string, reason: string): Promise<Reservation> {
    return this.kv.putIfAbsent(orderId, { orderId, reservationId: `res-${orderId}`, status: 'voided', reason });
  }

  async markReleased(orderId: string): Promise<void> {
    await this.kv.update(orderId, (r) => (r?.status === 'reserved' ? { ...r, status: 'released' } : undefined));
  }
}

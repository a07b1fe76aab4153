import { JsonKv, NatsClient } from '@flowscope/messaging';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';

/** A stock reservation as the seller remembers it. */
export interface Reservation {
  orderId: string;
  reservationId: string;
  status: 'reserved' | 'unavailable' | 'released';
  sku?: string;
  reason?: string;
}

/** The seller's reservations (KV bucket `seller-reservations`), keyed by orderId. */
@Injectable()
export class ReservationBook implements OnModuleInit {
  private kv!: JsonKv<Reservation>;

  constructor(@Inject(NatsClient) private readonly nats: NatsClient) {}

  async onModuleInit(): Promise<void> {
    this.kv = await JsonKv.open(this.nats.js, 'seller-reservations');
  }

  async get(orderId: string): Promise<Reservation | undefined> {
    return (await this.kv.get(orderId))?.value;
  }

  /** The first outcome for an order wins; a retry gets it back unchanged. */
  recordOnce(reservation: Reservation): Promise<Reservation> {
    return this.kv.putIfAbsent(reservation.orderId, reservation);
  }

  async markReleased(orderId: string): Promise<void> {
    await this.kv.update(orderId, (r) => (r?.status === 'reserved' ? { ...r, status: 'released' } : undefined));
  }
}

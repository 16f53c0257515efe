/** Typed event bus from main's core to every connected host (windows, sockets). */
import type { EventChannel, EventOf } from '../../preload/contract';

export type EventListener = (event: EventChannel, payload: unknown) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<E extends EventChannel>(event: E, payload: EventOf<E>): void {
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // One broken host connection must not stop the others from hearing the event.
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

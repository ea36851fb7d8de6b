/**
 * GET /v1/agent/calls/{id}/stream, served by the call's Durable Object: Server-Sent Events from
 * the session's live log (call-engine.ts `liveLog`), replayed after Last-Event-ID on a reconnect
 * and pushed as the log grows; the stream closes after the terminal record. No polling: the
 * object writes when its state changes.
 */
import type { LiveEvent, SessionState } from "../domain/call-engine";

const encoder = new TextEncoder();

type Listener = { writer: WritableStreamDefaultWriter<Uint8Array>; sent: number };

/** The path the Worker forwards GET /v1/agent/calls/{id}/stream to. */
export const LIVE_STREAM_PATH = "/stream";

export class LiveStreams {
  private readonly listeners = new Set<Listener>();

  /** A new stream, starting after `lastEventId` (0: from the first event). */
  open(lastEventId: number, state: SessionState): Response {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const listener = { writer: writable.getWriter(), sent: lastEventId };
    this.listeners.add(listener);
    void this.push(listener, state);
    return new Response(readable, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
      },
    });
  }

  /** Sends every listener what it has not had yet. */
  publish(state: SessionState): void {
    for (const listener of this.listeners) void this.push(listener, state);
  }

  private async push(listener: Listener, state: SessionState): Promise<void> {
    const fresh = state.liveLog.filter((e) => e.seq > listener.sent);
    const last = fresh.at(-1);
    if (last) listener.sent = last.seq;
    try {
      if (fresh.length > 0) await listener.writer.write(encoder.encode(fresh.map(frame).join("")));
      if (state.finalized) {
        this.listeners.delete(listener);
        await listener.writer.close();
      }
    } catch {
      // The client went away.
      this.listeners.delete(listener);
    }
  }
}

function frame(e: LiveEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`;
}

/** Last-Event-ID as a sequence number (anything else: from the start). */
export function lastEventIdOf(header: string | null): number {
  const n = Number(header ?? "0");
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

/**
 * CallSession: one Durable Object per call. It owns the call's state machine (call-state.ts),
 * persists every transition in its own storage before acting on it, mirrors it to the D1 row,
 * dials and hangs up through the carrier, terminates the carrier's media WebSocket, and keeps one
 * alarm as the watchdog that guarantees every call reaches a terminal status.
 */
import { DurableObject } from "cloudflare:workers";
import type { TranscriptLine } from "../analysis/transcript";
import { writeCallProgressStatement } from "../db/calls.queries";
import { makeDb } from "../db/client";
import { insertEventStatement } from "../db/webhooks.queries";
import { type Config, readConfig } from "../env";
import { newId } from "../lib/crypto";
import { loopbackTransport } from "../lib/loopback";
import type { CarrierSignal } from "../telephony/carrier-signal";
import { carrierFor } from "../telephony/provider";
import { parseStreamFrame } from "../telephony/twilio/media-messages";
import { connectVoice } from "../voice/connect";
import { buildSystemPrompt } from "../voice/system-prompt";
import { buildEvent, type DeliveryMessage, type WebhookEvent } from "../webhooks/events";
import { type CallOutputs, NO_OUTPUTS, rowProgress, sessionView } from "./call-outputs";
import type { CallParams } from "./call-params";
import {
  type CallEvent,
  type CallLimits,
  type CallState,
  type Effect,
  initialState,
  isTerminal,
  type Transition,
  transition,
} from "./call-state";
import {
  createCarrierCall,
  grantCallDuration,
  MAX_DIAL_ATTEMPTS,
  retryAfterFailedDial,
} from "./carrier-leg";
import { MediaBridge } from "./media-bridge";
import { runPostCall } from "./post-call";
import { Recorder } from "./recorder";

const SYNC_RETRY_MS = 2000;
/** Callback de-duplication keys remembered per call (a call sees a handful). */
const MAX_SEEN = 64;

type Meta = {
  dialAttempts: number;
  /** When the next attempt to create the carrier call is due; null once it was made. */
  nextDialAt: number | null;
  /** The D1 row is behind the state and must be written again. */
  syncPending: boolean;
  /** Carrier callbacks already applied, to refuse replays. */
  seen: string[];
  /** Webhook events created with a transition, not yet stored in D1 and queued for delivery. */
  outbox: OutboxEvent[];
  /** Post-call work (recording, transcript, analysis) is done and the terminal record is out. */
  finalized: boolean;
  /** The post-call watchdog: finalize by then with whatever is ready. */
  finalizeBy: number | null;
};

type OutboxEvent = { event: WebhookEvent; stored: boolean };

type SocketInfo = { authenticated: boolean; stopped: boolean; streamSid?: string };

export type SignalResult = "ok" | "replay" | "unknown_call" | "wrong_call";
export type CancelResult = "canceled" | "already_ended" | "unknown_call";

function freshMeta(nextDialAt: number | null): Meta {
  return {
    dialAttempts: 0,
    nextDialAt,
    syncPending: false,
    seen: [],
    outbox: [],
    finalized: false,
    finalizeBy: null,
  };
}

export function limitsFrom(config: Config): CallLimits {
  return {
    // Long enough for every retry at call creation: base × (1 + 2 + 4 + …).
    dialMs: Math.max(60_000, config.dialRetryBaseMs * 2 ** (MAX_DIAL_ATTEMPTS + 1)),
    // Twilio reports no-answer itself after Timeout (plus up to 5 s); this is the backstop.
    ringMs: (config.ringTimeoutSec + 30) * 1000,
    mediaConnectMs: 15_000,
    endGraceMs: 10_000,
  };
}

export class CallSession extends DurableObject<Env> {
  private params: CallParams | undefined;
  private state: CallState | undefined;
  private meta: Meta = freshMeta(null);
  private outputs: CallOutputs = NO_OUTPUTS;
  /** Transcript lines as they arrive, persisted so an interrupted post-call still has them. */
  private lines: TranscriptLine[] = [];
  private bridge: MediaBridge | undefined;
  private recorder: Recorder | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<unknown>([
        "params",
        "state",
        "meta",
        "outputs",
        "lines",
      ]);
      this.params = stored.get("params") as CallParams | undefined;
      this.state = stored.get("state") as CallState | undefined;
      this.meta = (stored.get("meta") as Meta | undefined) ?? this.meta;
      this.outputs = (stored.get("outputs") as CallOutputs | undefined) ?? NO_OUTPUTS;
      this.lines = (stored.get("lines") as TranscriptLine[] | undefined) ?? [];
    });
  }

  /** Starts the call once; later calls with the same id change nothing. */
  async start(params: CallParams): Promise<void> {
    if (this.state) return;
    const now = Date.now();
    this.params = params;
    this.state = initialState(now, limitsFrom(this.config()));
    // The first dial is due now; should this object die before it is made, the alarm makes it.
    this.meta = freshMeta(now);
    await this.ctx.storage.put({ params, state: this.state, meta: this.meta });
    await this.schedule();
    if (this.meta.nextDialAt !== null) await this.dial();
  }

  async snapshot(): Promise<CallState | undefined> {
    return this.state;
  }

  async carrierSignal(
    signal: CarrierSignal,
    from: { callSid: string; dedupeKey: string },
  ): Promise<SignalResult> {
    if (!this.state) return "unknown_call";
    if (this.state.providerCallId && from.callSid !== this.state.providerCallId)
      return "wrong_call";
    if (this.meta.seen.includes(from.dedupeKey)) return "replay";
    this.meta.seen = [...this.meta.seen, from.dedupeKey].slice(-MAX_SEEN);
    await this.ctx.storage.put("meta", this.meta);
    await this.apply(await this.eventFor(signal));
    return "ok";
  }

  async cancel(): Promise<CancelResult> {
    if (!this.state) return "unknown_call";
    if (isTerminal(this.state)) return "already_ended";
    await this.apply({ type: "cancel", at: Date.now() });
    return "canceled";
  }

  /** The carrier's media stream: a WebSocket upgrade, already signature-checked by the route. */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response(null, { status: 426 });
    }
    if (!this.state || isTerminal(this.state)) return new Response(null, { status: 404 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], ["media"]);
    pair[1].serializeAttachment({ authenticated: false, stopped: false } satisfies SocketInfo);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    const frame = parseStreamFrame(text);
    if (!frame || !this.state || !this.params) return;
    const info = ws.deserializeAttachment() as SocketInfo;
    if (frame.event === "connected") return;
    if (frame.event === "start") {
      if (frame.start.customParameters.token !== this.params.streamToken) {
        console.warn("media stream with a wrong token refused", { callId: this.params.callId });
        ws.close(1008, "forbidden");
        return;
      }
      ws.serializeAttachment({
        ...info,
        authenticated: true,
        streamSid: frame.streamSid,
      } satisfies SocketInfo);
      // Media only flows once the call is answered, whatever order the callbacks arrive in.
      if (this.state.status === "queued" || this.state.status === "dialing") {
        await this.apply(await this.eventFor({ kind: "answered" }));
      }
      await this.apply({ type: "media_connected", at: Date.now() });
      await this.startBridge(ws, frame.streamSid);
      return;
    }
    if (!info.authenticated) {
      ws.close(1008, "forbidden");
      return;
    }
    if (frame.event === "media") {
      this.bridge?.recipientAudio(frame.payload);
      return;
    }
    if (frame.event === "mark") {
      this.bridge?.mark(frame.mark.name);
      return;
    }
    if (frame.event === "stop") {
      ws.serializeAttachment({ ...info, stopped: true } satisfies SocketInfo);
      await this.apply({ type: "media_closed", at: Date.now(), stopped: true });
    }
  }

  async webSocketClose(ws: WebSocket): Promise<void> {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (info?.authenticated && !info.stopped) {
      await this.apply({ type: "media_closed", at: Date.now(), stopped: false });
    }
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws);
  }

  /** The watchdog: due dial attempts, deadlines of the state machine, and late D1 writes. */
  async alarm(): Promise<void> {
    if (!this.state || !this.params) return;
    if (this.meta.syncPending) await this.sync();
    const now = Date.now();
    if (
      this.state.status === "queued" &&
      this.meta.nextDialAt !== null &&
      now >= this.meta.nextDialAt
    ) {
      await this.dial();
    }
    await this.apply({ type: "watchdog", at: Date.now() });
    if (isTerminal(this.state) && !this.meta.finalized) await this.finalize();
    await this.schedule();
  }

  private config(): Config {
    return readConfig(this.env);
  }

  private transport() {
    const params = this.need(this.params);
    return loopbackTransport(
      this.env,
      (p) => this.ctx.waitUntil(p),
      new URL(params.publicBaseUrl).origin,
    );
  }

  private carrier() {
    return carrierFor(
      this.config().telephony,
      this.need(this.params).publicBaseUrl,
      this.transport(),
    );
  }

  private async dial(): Promise<void> {
    const params = this.need(this.params);
    const attempts = this.meta.dialAttempts + 1;
    this.meta = { ...this.meta, dialAttempts: attempts, nextDialAt: null };
    await this.ctx.storage.put("meta", this.meta);
    try {
      const { sid } = await createCarrierCall(this.carrier(), params, this.config());
      const wasTerminal = isTerminal(this.need(this.state));
      await this.apply({ type: "carrier_accepted", at: Date.now(), providerCallId: sid });
      // Canceled while the carrier was creating the call: withdraw it.
      if (wasTerminal) await this.hangup(sid, false);
    } catch (e) {
      console.warn("carrier refused call creation", {
        callId: params.callId,
        attempt: attempts,
        error: String(e),
      });
      const retryAt = retryAfterFailedDial(e, attempts, this.config(), Date.now());
      if (retryAt === "give_up") {
        await this.apply({ type: "placement_failed", at: Date.now() });
      } else {
        this.meta = { ...this.meta, nextDialAt: retryAt };
        await this.ctx.storage.put("meta", this.meta);
      }
    }
  }

  private async eventFor(signal: CarrierSignal): Promise<CallEvent> {
    const at = Date.now();
    switch (signal.kind) {
      case "progress":
        return { type: "ringing", at };
      case "answered":
        return {
          type: "answered",
          at,
          maxDurationMs: await grantCallDuration(
            this.env,
            this.need(this.params),
            this.config().maxCallSec,
          ),
        };
      case "machine":
        return { type: "machine_detected", at, answeredBy: signal.answeredBy };
      case "ended":
        return {
          type: "carrier_ended",
          at,
          outcome: signal.outcome,
          durationSec: signal.durationSec,
        };
    }
  }

  private async apply(event: CallEvent): Promise<Transition | undefined> {
    if (!this.state) return undefined;
    const before = this.state;
    const t = transition(before, event);
    if (!t.changed) return t;
    this.state = t.state;
    const ended = !isTerminal(before) && isTerminal(this.state);
    if (this.state.status !== before.status && !ended && this.state.status !== "queued") {
      // The event is written in the same storage step as the transition: neither exists without the other.
      this.meta = { ...this.meta, outbox: [...this.meta.outbox, this.statusEvent(event.at)] };
    }
    if (ended) this.meta = { ...this.meta, finalizeBy: Date.now() + this.config().postCallBoundMs };
    await this.ctx.storage.put({ state: this.state, meta: this.meta });
    console.info("call transition", {
      callId: this.params?.callId,
      event: event.type,
      status: this.state.status,
      error: this.state.error,
    });
    await this.sync();
    for (const effect of t.effects) await this.perform(effect);
    if (ended) {
      this.closeMedia();
      await this.finalize();
    }
    await this.schedule();
    return t;
  }

  /** The event of the current status, stamped `at`: when the transition happened. */
  private statusEvent(at: number): OutboxEvent {
    const state = this.need(this.state);
    const status = state.status === "queued" ? "dialing" : state.status;
    const view = sessionView(this.need(this.params), state, this.outputs);
    return { event: buildEvent(newId("evt"), status, at, view), stored: false };
  }

  /** Connects the voice model to the answered call's media stream. */
  private async startBridge(ws: WebSocket, streamSid: string): Promise<void> {
    const state = this.need(this.state);
    const params = this.need(this.params);
    if (this.bridge || state.status !== "in_progress") return;
    this.recorder = new Recorder(
      this.env.RECORDINGS,
      `recordings/${params.accountId}/${params.callId}.wav`,
    );
    const bridge = new MediaBridge(ws, streamSid, state.answeredAt ?? Date.now(), this.recorder, {
      agentHungUp: () => void this.apply({ type: "agent_hangup", at: Date.now() }),
      modelLost: (reason) => {
        console.warn("voice model lost", { callId: params.callId, reason });
        void this.apply({ type: "model_lost", at: Date.now() });
      },
      line: (line) => {
        this.lines = [...this.lines, line];
        void this.ctx.storage.put("lines", this.lines);
      },
    });
    this.bridge = bridge;
    try {
      const session = await connectVoice(
        this.config().voice,
        params.publicBaseUrl,
        this.transport(),
        { systemPrompt: buildSystemPrompt(params), voice: params.voice, language: params.language },
        bridge,
      );
      if (isTerminal(this.need(this.state))) session.close();
      else bridge.attach(session);
    } catch (e) {
      console.error("voice model connection failed", { callId: params.callId, error: String(e) });
      await this.apply({ type: "model_lost", at: Date.now() });
    }
  }

  /**
   * Post-call work, bounded by the post-call watchdog: stop the bridge, complete the recording,
   * then write the terminal record and send the terminal event.
   */
  private async finalize(): Promise<void> {
    if (this.meta.finalized) return;
    const params = this.need(this.params);
    const bound = Math.max(0, (this.meta.finalizeBy ?? Date.now()) - Date.now());
    const timedOut = Symbol("timeout");
    const result = await Promise.race([
      this.postCall(),
      new Promise<typeof timedOut>((resolve) => setTimeout(() => resolve(timedOut), bound)),
    ]);
    if (this.meta.finalized) return;
    this.outputs =
      result === timedOut
        ? { ...NO_OUTPUTS, lines: this.lines, analysisError: "analysis_timeout" }
        : result;
    this.meta = { ...this.meta, finalized: true, finalizeBy: null };
    // Sent after the post-call work, stamped with the call's end.
    const endedAt = this.state?.endedAt ?? Date.now();
    this.meta = { ...this.meta, outbox: [...this.meta.outbox, this.statusEvent(endedAt)] };
    await this.ctx.storage.put({ outputs: this.outputs, meta: this.meta });
    console.info("call finalized", {
      callId: params.callId,
      status: this.state?.status,
      lines: this.outputs.lines.length,
    });
    await this.sync();
  }

  private async postCall(): Promise<CallOutputs> {
    const bridge = this.bridge;
    const recorder = this.recorder;
    this.bridge = undefined;
    this.recorder = undefined;
    return runPostCall({
      params: this.need(this.params),
      state: this.need(this.state),
      lines: this.lines,
      bridge,
      recorder,
      analysis: this.config().analysis,
      transport: this.transport(),
      // Leave a second of the bound to write the record.
      deadline: (this.meta.finalizeBy ?? Date.now() + this.config().postCallBoundMs) - 1000,
    });
  }

  private async perform(effect: Effect): Promise<void> {
    const sid = this.state?.providerCallId;
    if (effect.type === "hangup" && sid) await this.hangup(sid, effect.answered);
  }

  private async hangup(sid: string, answered: boolean): Promise<void> {
    try {
      await this.carrier().hangup(sid, answered);
    } catch (e) {
      // The carrier's own TimeLimit still bounds the call; the state is already terminal here.
      console.error("hangup failed", { callId: this.params?.callId, sid, error: String(e) });
    }
  }

  private closeMedia(): void {
    for (const ws of this.ctx.getWebSockets("media")) {
      try {
        ws.close(1000, "call ended");
      } catch {
        // already closing
      }
    }
  }

  /**
   * Brings D1 up to this object's state: the call row and new webhook events in one transaction,
   * then the events onto the delivery queue. On failure everything stays pending and the alarm
   * tries again, so no transition or event is lost.
   */
  private async sync(): Promise<void> {
    const state = this.need(this.state);
    const params = this.need(this.params);
    const db = makeDb(this.env.DB);
    try {
      const unstored = this.meta.outbox.filter((o) => !o.stored);
      await db.batch([
        writeCallProgressStatement(
          db,
          params.callId,
          rowProgress(state, this.outputs, this.meta.finalized),
        ),
        ...unstored.map((o) =>
          insertEventStatement(db, {
            event: o.event,
            accountId: params.accountId,
            status: params.webhookUrl ? "pending" : "no_endpoint",
          }),
        ),
      ]);
      this.meta = { ...this.meta, outbox: this.meta.outbox.map((o) => ({ ...o, stored: true })) };
      for (const o of this.meta.outbox) {
        if (params.webhookUrl)
          await this.env.WEBHOOKS.send({ eventId: o.event.id } satisfies DeliveryMessage);
        this.meta = {
          ...this.meta,
          outbox: this.meta.outbox.filter((x) => x.event.id !== o.event.id),
        };
      }
      this.meta = { ...this.meta, syncPending: false };
    } catch (e) {
      console.error("syncing the call to D1 and the queue failed; will retry", {
        callId: params.callId,
        error: String(e),
      });
      this.meta = { ...this.meta, syncPending: true };
    }
    await this.ctx.storage.put("meta", this.meta);
  }

  private async schedule(): Promise<void> {
    const now = Date.now();
    const due = [
      this.state?.deadline?.at,
      this.meta.nextDialAt ?? undefined,
      this.meta.syncPending ? now + SYNC_RETRY_MS : undefined,
      this.meta.finalized ? undefined : (this.meta.finalizeBy ?? undefined),
    ].filter((t): t is number => t !== undefined);
    if (due.length === 0) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(Math.min(...due));
  }

  private need<T>(value: T | undefined): T {
    if (value === undefined) throw new Error("CallSession used before start");
    return value;
  }
}

/**
 * CallSession: one Durable Object per call, a thin shell around the session engine
 * (domain/call-engine.ts). It loads one validated record, feeds inputs through the engine strictly
 * one at a time, persists each new state before acting on it, and executes the engine's commands
 * through ports. Quick commands (D1 sync, closing media) run inside the input queue; slow ones
 * (dialing, hanging up, connecting the model, post-call work) run beside it and come back as
 * inputs, so a carrier callback is answered as soon as its transition is stored.
 */
import { DurableObject } from "cloudflare:workers";
import {
  needsGrant,
  nextAlarm,
  type SessionCommand,
  type SessionInput,
  type SessionState,
  type StepResult,
  startSession,
  step,
} from "../domain/call-engine";
import type { CallParams } from "../domain/call-params";
import { rowProgress } from "../domain/call-record";
import { type CallState, isTerminal } from "../domain/call-state";
import type { CarrierSignal } from "../domain/carrier-signal";
import { readConfig } from "../env";
import type { RecordingSink, SessionPorts } from "../ports";
import { buildSystemPrompt } from "../voice/system-prompt";
import { engineSettings, sessionPorts } from "../wiring";
import { MediaBridge } from "./media/media-bridge";
import { runPostCall } from "./post-call";
import { readSessionRecord, SESSION_KEY } from "./session-record";

export type SignalResult = "ok" | "replay" | "unknown_call" | "wrong_call";
export type CancelResult = "canceled" | "already_ended" | "unknown_call";

type SocketInfo = { authenticated: boolean; stopped: boolean; streamId?: string };

export class CallSession extends DurableObject<Env> {
  private state: SessionState | undefined;
  /** Inputs run one after another through this chain; nothing interleaves across awaits. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Slow commands running beside the queue; the alarm waits for them. */
  private readonly background = new Set<Promise<void>>();
  private bridge: MediaBridge | undefined;
  private recorder: RecordingSink | undefined;
  private readonly ports: SessionPorts;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ports = sessionPorts(env, ctx.exports.default);
    ctx.blockConcurrencyWhile(async () => {
      this.state = readSessionRecord(await ctx.storage.get(SESSION_KEY));
    });
  }

  /** Starts the call once; later calls with the same id change nothing. */
  async start(params: CallParams): Promise<void> {
    await this.enqueue(async () => {
      if (this.state) return;
      const now = this.ports.clock.now();
      await this.commit(startSession(params, engineSettings(readConfig(this.env)), now));
    });
    await this.settled();
  }

  async snapshot(): Promise<CallState | undefined> {
    return this.state?.call;
  }

  async carrierSignal(
    signal: CarrierSignal,
    from: { callSid: string; dedupeKey: string },
  ): Promise<SignalResult> {
    if (!this.state) return "unknown_call";
    const result = await this.feed({ type: "carrier", signal, ...from });
    return result?.refused === "replay" || result?.refused === "wrong_call" ? result.refused : "ok";
  }

  async cancel(): Promise<CancelResult> {
    if (!this.state) return "unknown_call";
    const result = await this.feed({ type: "cancel" });
    if (result?.refused === "already_ended") return "already_ended";
    // A canceled call has no conversation to analyse: finish it now, so the answer is its record.
    await this.feed({ type: "alarm" });
    await this.settled();
    return "canceled";
  }

  /** The carrier's media stream: a WebSocket upgrade, already signature-checked by the route. */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response(null, { status: 426 });
    }
    if (!this.state || isTerminal(this.state.call)) return new Response(null, { status: 404 });
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], ["media"]);
    pair[1].serializeAttachment({ authenticated: false, stopped: false } satisfies SocketInfo);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    const frame = this.ports.codec.parse(text);
    if (!frame || !this.state) return;
    const info = ws.deserializeAttachment() as SocketInfo;
    if (frame.kind === "connected") return;
    if (frame.kind === "start") {
      if (frame.params.token !== this.state.params.streamToken) {
        console.warn("media stream with a wrong token refused", {
          callId: this.state.params.callId,
        });
        ws.close(1008, "forbidden");
        return;
      }
      ws.serializeAttachment({ ...info, authenticated: true, streamId: frame.streamId });
      await this.feed({ type: "media_started" });
      return;
    }
    if (!info.authenticated) {
      ws.close(1008, "forbidden");
      return;
    }
    if (frame.kind === "media") this.bridge?.recipientAudio(frame.payload);
    else if (frame.kind === "mark") this.bridge?.mark(frame.name);
    else if (frame.kind === "stop") {
      ws.serializeAttachment({ ...info, stopped: true } satisfies SocketInfo);
      await this.feed({ type: "media_ended", stopped: true });
    }
  }

  async webSocketClose(ws: WebSocket): Promise<void> {
    const info = ws.deserializeAttachment() as SocketInfo | null;
    if (info?.authenticated && !info.stopped)
      await this.feed({ type: "media_ended", stopped: false });
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws);
  }

  /** Deadlines, due dial attempts, late D1 writes and post-call work, as the engine decides. */
  async alarm(): Promise<void> {
    if (!this.state) return;
    await this.feed({ type: "alarm" });
    await this.settled();
  }

  /** Runs `task` after every earlier input. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch((e) => console.error("call session step failed", { error: String(e) }));
    return run;
  }

  /** Queues an input; resolves once its new state is stored (its commands may still be running). */
  private feed(input: SessionInput): Promise<StepResult | undefined> {
    return new Promise((resolve, reject) => {
      void this.enqueue(async () => {
        try {
          await this.apply(input, resolve);
        } catch (e) {
          reject(e);
          throw e;
        }
      });
    });
  }

  /** One input inside the queue: step, store, then execute the commands. */
  private async apply(
    input: SessionInput,
    stored: (r: StepResult | undefined) => void = () => {},
  ): Promise<void> {
    const state = this.state;
    if (!state) return stored(undefined);
    let withGrant = input;
    if (needsGrant(state, input) && (input.type === "carrier" || input.type === "media_started")) {
      const grantedMs = await this.ports.store.grantCallMs(state.params, state.settings.maxCallMs);
      withGrant = { ...input, grantedMs };
    }
    const result = step(state, withGrant, this.ports.clock.now());
    await this.commit(result, stored);
  }

  private async commit(result: StepResult, stored: (r: StepResult) => void = () => {}) {
    if (result.state !== this.state) {
      this.state = result.state;
      await this.ctx.storage.put(SESSION_KEY, result.state);
      const at = nextAlarm(result.state);
      if (at === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(at);
    }
    stored(result);
    for (const command of result.commands) await this.execute(command, result.state);
  }

  private async execute(command: SessionCommand, state: SessionState): Promise<void> {
    const call = state.params;
    switch (command.type) {
      case "sync":
        return this.sync();
      case "close_media":
        return this.closeMedia();
      case "dial":
        return this.beside(async () => {
          const outcome = await this.ports.carrier(call).dial(call);
          if (!outcome.ok)
            console.warn("carrier refused call creation", {
              callId: call.callId,
              attempt: command.attempt,
              error: outcome.detail,
            });
          await this.feed(
            outcome.ok
              ? { type: "dial_succeeded", providerCallId: outcome.providerCallId }
              : { type: "dial_failed", retryable: outcome.retryable },
          );
        });
      case "hang_up":
        return this.beside(() =>
          this.ports
            .carrier(call)
            .hangUp(command.providerCallId, command.answered)
            // The carrier's own TimeLimit still bounds the call; the state is already terminal.
            .catch((e) =>
              console.error("hangup failed", { callId: call.callId, error: String(e) }),
            ),
        );
      case "start_bridge":
        return this.beside(() => this.startBridge(call, command.answeredAt));
      case "run_post_call":
        return this.beside(async () => {
          const latency = this.bridge?.finish() ?? null;
          const recorder = this.recorder;
          this.bridge = undefined;
          this.recorder = undefined;
          const outputs = await runPostCall({
            call,
            state: state.call,
            lines: state.lines,
            latency,
            recorder,
            analyzer: this.ports.analyzer(call),
            // Leave a second of the bound to write the record.
            deadline: command.deadline - 1000,
          });
          await this.feed({ type: "post_call_done", outputs });
        });
    }
  }

  private beside(work: () => Promise<void>): void {
    const running = work().catch((e) => console.error("call session work failed", String(e)));
    this.background.add(running);
    void running.finally(() => this.background.delete(running));
  }

  /** Waits for the queue and for every slow command, including those they started. */
  private async settled(): Promise<void> {
    for (;;) {
      const queue = this.queue;
      await queue;
      await Promise.all([...this.background]);
      if (this.background.size === 0 && this.queue === queue) return;
    }
  }

  /** Connects the voice model to the answered call's media stream. */
  private async startBridge(call: CallParams, answeredAt: number): Promise<void> {
    const [ws] = this.ctx.getWebSockets("media");
    const info = ws?.deserializeAttachment() as SocketInfo | undefined;
    if (!ws || !info?.streamId || this.bridge) return;
    this.recorder = this.ports.recording(call);
    const bridge = new MediaBridge(
      { socket: ws, streamId: info.streamId, codec: this.ports.codec },
      answeredAt,
      this.recorder,
      {
        agentHungUp: () => void this.feed({ type: "agent_hung_up" }),
        modelLost: (reason) => {
          console.warn("voice model lost", { callId: call.callId, reason });
          void this.feed({ type: "model_lost" });
        },
        line: (line) => void this.feed({ type: "transcript_line", line }),
      },
      () => this.ports.clock.now(),
    );
    this.bridge = bridge;
    try {
      const session = await this.ports
        .voice(call)
        .connect(
          { systemPrompt: buildSystemPrompt(call), voice: call.voice, language: call.language },
          bridge,
        );
      if (this.bridge === bridge) bridge.attach(session);
      else session.close();
    } catch (e) {
      console.error("voice model connection failed", { callId: call.callId, error: String(e) });
      await this.feed({ type: "model_lost" });
    }
  }

  /** Brings D1 and the delivery queue up to this state; the engine retries on failure. */
  private async sync(): Promise<void> {
    const s = this.state;
    if (!s) return;
    const progress = rowProgress(s.call, s.lines, s.outputs, s.finalized);
    try {
      await this.ports.store.sync(s.params, progress, s.outbox);
      await this.apply({ type: "synced", eventIds: s.outbox.map((e) => e.id) });
    } catch (e) {
      console.error("syncing the call to D1 and the queue failed; will retry", {
        callId: s.params.callId,
        error: String(e),
      });
      await this.apply({ type: "sync_failed" });
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
}

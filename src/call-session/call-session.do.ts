/**
 * CallSession: one Durable Object per call, a thin shell around the session engine
 * (domain/call-engine.ts). It loads one validated record, feeds inputs through the engine strictly
 * one at a time, stores each new state before acting on it, and hands the engine's commands to the
 * CommandRunner. A carrier callback is answered as soon as its transition is stored.
 */
import { DurableObject } from "cloudflare:workers";
import {
  MEDIA_HEARTBEAT_MS,
  needsGrant,
  nextAlarm,
  type SessionInput,
  type SessionState,
  type StepResult,
  startSession,
  step,
} from "../domain/call-engine";
import type { CallParams } from "../domain/call-params";
import { type CallState, isTerminal } from "../domain/call-state";
import type { CarrierSignal } from "../domain/carrier-signal";
import type { ErrorToken } from "../domain/error-tokens";
import { type QuestionView, questionView } from "../domain/questions";
import type { TransferOutcome } from "../domain/transfer";
import { readConfig } from "../env";
import type { SessionPorts } from "../ports";
import { engineSettings, sessionPorts } from "../wiring";
import { CommandRunner, type SocketInfo } from "./command-runner";
import { LIVE_STREAM_PATH, LiveStreams, lastEventIdOf } from "./live-stream";
import { MediaPacer } from "./media/media-pacer";
import { SerialQueue } from "./serial-queue";
import { readSessionRecord, SESSION_KEY } from "./session-record";

/**
 * A Media Streams frame is ~300 bytes (a start frame ~1 KB); anything far larger is not one, and
 * is refused before it is parsed.
 */
const MAX_FRAME_CHARS = 8192;

/** The stream's upgrade refused, in the API's error shape. */
const refusal = (error: ErrorToken, status: number) => Response.json({ error }, { status });

export type SignalResult = "ok" | "replay" | "unknown_call" | "wrong_call";
export type CancelResult = "canceled" | "already_ended" | "unknown_call";

export class CallSession extends DurableObject<Env> {
  private state: SessionState | undefined;
  private readonly queue = new SerialQueue();
  private readonly ports: SessionPorts;
  private readonly runner: CommandRunner;
  /** Floods dropped; media flow reported to the engine now and then (in memory, not state). */
  private readonly pacer = new MediaPacer(MEDIA_HEARTBEAT_MS);
  private readonly sockets = new WeakMap<WebSocket, SocketInfo>();
  /** Open Server-Sent Event streams of this call (GET …/stream). */
  private readonly live = new LiveStreams();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.ports = sessionPorts(env, ctx.exports.default);
    this.runner = new CommandRunner({
      ports: this.ports,
      queue: this.queue,
      mediaSockets: () => ctx.getWebSockets("media"),
      state: () => this.state,
      feed: (input) => this.feed(input),
      applyNow: (input) => this.apply(input),
    });
    ctx.blockConcurrencyWhile(async () => {
      this.state = readSessionRecord(await ctx.storage.get(SESSION_KEY));
      // A live call loaded again lost what was only in memory (the bridge, the recording's tail).
      if (this.state) void this.feed({ type: "restored" });
    });
  }

  /** Starts the call once; later calls with the same id change nothing. */
  async start(params: CallParams): Promise<void> {
    await this.queue.run(async () => {
      if (this.state) return;
      const settings = engineSettings(readConfig(this.env));
      await this.commit(startSession(params, settings, this.ports.clock.now()));
    });
    await this.queue.settled();
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

  /** The transfer's Dial ended (its signed action callback). */
  async transferEnded(report: {
    callSid: string;
    outcome: TransferOutcome;
    durationSec: number;
  }): Promise<"ok" | "unknown_call" | "wrong_call"> {
    if (!this.state) return "unknown_call";
    const known = this.state.call.providerCallId;
    if (known && report.callSid !== known) return "wrong_call";
    await this.feed({
      type: "transfer_ended",
      outcome: report.outcome,
      durationSec: report.durationSec,
    });
    return "ok";
  }

  /** What the person a call is transferred to hears first (undefined: no transfer). */
  async transferWhisper(): Promise<string | undefined> {
    return this.state?.transfer?.whisper;
  }

  async cancel(): Promise<CancelResult> {
    if (!this.state) return "unknown_call";
    const result = await this.feed({ type: "cancel" });
    if (result?.refused === "already_ended") return "already_ended";
    // A canceled call has no conversation to analyse: finish it now, so the answer is its record.
    await this.feed({ type: "alarm" });
    await this.queue.settled();
    return "canceled";
  }

  /** The requester's answer to the agent's pending question (REST or MCP). */
  async answerQuestion(a: {
    questionId: string;
    answer: string;
    by: "rest" | "mcp";
  }): Promise<
    { answered: QuestionView } | "question_not_found" | "question_closed" | "unknown_call"
  > {
    if (!this.state) return "unknown_call";
    const result = await this.feed({ type: "question_answered", ...a });
    if (result?.refused === "question_not_found" || result?.refused === "question_closed")
      return result.refused;
    const answered = result?.state.questions.find((q) => q.id === a.questionId);
    return answered ? { answered: questionView(answered) } : "question_not_found";
  }

  /** The carrier's media stream: a WebSocket upgrade, already signature-checked by the route. */
  async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === LIVE_STREAM_PATH) {
      if (!this.state) return refusal("not_found", 404);
      return this.live.open(lastEventIdOf(request.headers.get("last-event-id")), this.state);
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return refusal("upgrade_required", 426);
    }
    if (!this.state || isTerminal(this.state.call)) return refusal("not_found", 404);
    // One media stream per call: a second one is someone else's.
    if (this.ctx.getWebSockets("media").length > 0) return refusal("forbidden", 403);
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1], ["media"]);
    this.setSocketInfo(pair[1], { authenticated: false, stopped: false });
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const size = typeof message === "string" ? message.length : message.byteLength;
    if (size > MAX_FRAME_CHARS) {
      ws.close(1009, "frame too large");
      return;
    }
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    const frame = this.ports.codec.parse(text);
    if (!frame || !this.state || frame.kind === "connected") return;
    const info = this.socketInfo(ws) ?? { authenticated: false, stopped: false };
    if (frame.kind === "start") {
      if (frame.params.token !== this.state.params.streamToken) {
        console.warn("media stream with a wrong token refused", {
          callId: this.state.params.callId,
        });
        ws.close(1008, "forbidden");
        return;
      }
      this.setSocketInfo(ws, { ...info, authenticated: true, streamId: frame.streamId });
      await this.feed({ type: "media_started" });
    } else if (!info.authenticated) ws.close(1008, "forbidden");
    else if (frame.kind === "media") this.media(frame.payload);
    else if (frame.kind === "mark") this.runner.bridge?.mark(frame.name);
    else if (frame.kind === "dtmf") await this.feed({ type: "recipient_key", digit: frame.digit });
    else if (frame.kind === "stop") {
      this.runner.bridge?.flushLines();
      this.setSocketInfo(ws, { ...info, stopped: true });
      await this.feed({ type: "media_ended", stopped: true });
    }
  }

  async webSocketClose(ws: WebSocket): Promise<void> {
    const info = this.socketInfo(ws);
    this.runner.bridge?.flushLines();
    if (info?.authenticated && !info.stopped)
      await this.feed({ type: "media_ended", stopped: false });
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    await this.webSocketClose(ws);
  }

  /**
   * What the socket's attachment holds (it outlives hibernation), read from memory while this
   * object lives: deserializing it for each of 50 frames a second showed in the profile.
   */
  private socketInfo(ws: WebSocket): SocketInfo | undefined {
    let info = this.sockets.get(ws);
    if (!info) {
      info = (ws.deserializeAttachment() as SocketInfo | null) ?? undefined;
      if (info) this.sockets.set(ws, info);
    }
    return info;
  }

  private setSocketInfo(ws: WebSocket, info: SocketInfo): void {
    ws.serializeAttachment(info);
    this.sockets.set(ws, info);
  }

  /** Caller audio: to the bridge, within the real-time rate, with a heartbeat to the engine. */
  private media(payload: string): void {
    const { forward, heartbeat } = this.pacer.frame(this.ports.clock.now());
    if (!forward) return;
    this.runner.bridge?.recipientAudio(payload);
    if (heartbeat) {
      void this.feed({ type: "media_flowing" });
    }
  }

  /** The sweeper's nudge: run the alarm's work now (deadlines, a D1 write that is behind). */
  async wake(): Promise<"ok" | "unknown_call"> {
    if (!this.state) return "unknown_call";
    // D1 may have lost what this object believes it wrote (a crash between the two).
    await this.feed({ type: "resync" });
    await this.alarm();
    return "ok";
  }

  /** Deadlines, due dial attempts, late D1 writes and post-call work, as the engine decides. */
  async alarm(): Promise<void> {
    if (!this.state) return;
    await this.feed({ type: "alarm" });
    await this.queue.settled();
    // An alarm that ran before anything was due (a scheduled call's, run early) changed nothing,
    // so nothing set it again: keep the one still ahead.
    const at = this.state ? nextAlarm(this.state) : null;
    if (at !== null && at > this.ports.clock.now() && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(at);
  }

  /** Queues an input; resolves once its new state is stored (its commands may still be running). */
  private feed(input: SessionInput): Promise<StepResult | undefined> {
    return new Promise((resolve, reject) => {
      void this.queue.run(() => this.apply(input, resolve).catch((e) => reject(e)));
    });
  }

  /** One input: step, store, then execute the commands. */
  private async apply(input: SessionInput, stored: (r?: StepResult) => void = () => {}) {
    const state = this.state;
    if (!state) return stored(undefined);
    let withGrant = input;
    if (needsGrant(state, input) && (input.type === "carrier" || input.type === "media_started")) {
      const grantedMs = await this.ports.store.grantCallMs(state.params, state.settings.maxCallMs);
      withGrant = { ...input, grantedMs };
    }
    await this.commit(step(state, withGrant, this.ports.clock.now()), stored);
  }

  private async commit(result: StepResult, stored: (r: StepResult) => void = () => {}) {
    if (result.state !== this.state) {
      this.state = result.state;
      await this.ctx.storage.put(SESSION_KEY, result.state);
      const at = nextAlarm(result.state);
      if (at === null) await this.ctx.storage.deleteAlarm();
      else await this.ctx.storage.setAlarm(at);
      this.live.publish(result.state);
    }
    stored(result);
    for (const command of result.commands) await this.runner.execute(command, result.state);
  }
}

/**
 * SimulatedCarrier: one Durable Object per simulated call, acting as Twilio would after a
 * successful `POST /Calls.json`: it rings, answers, opens the Media Streams WebSocket named in the
 * TwiML (signed, with connected/start/media/stop frames), sends signed status and AMD callbacks,
 * and hangs up when asked. Everything it sends goes to our public endpoints.
 */
import { DurableObject } from "cloudflare:workers";
import { decodeMulaw, encodeMulaw } from "../../audio/mulaw";
import { base64ToBytes, bytesToBase64 } from "../../audio/pcm";
import { httpUrlOfWebSocket, loopbackTransport, type Transport } from "../../lib/loopback";
import { twilioSignature } from "../twilio/signature";
import { parseTwimlSay, type TransferDial } from "../twilio/twiml";
import { PhoneMenu } from "./phone/phone-menu";
import type { PhoneAction, PhoneSide } from "./phone/phone-side";
import { phoneFor } from "./phone/phones";
import {
  FLAKY_FAILURES,
  outcomeFor,
  type ScriptAction,
  scriptFor,
  TRANSFER_TALK_MS,
  transferAnswers,
} from "./script";

export type SimulatedCallRequest = {
  sid: string;
  accountSid: string;
  authToken: string;
  to: string;
  from: string;
  statusCallback: string | null;
  statusEvents: string[];
  amdCallback: string | null;
  stream: { url: string; params: Record<string, string> };
  paceMs: number;
  ownOrigin: string;
  /** The call's `MachineDetection` (async AMD's mode). */
  machineDetection?: "Enable" | "DetectMessageEnd";
};

/**
 * What the simulated line saw, for tests through the simulator's API: when each frame of agent
 * audio arrived, and what the far end did, in ms from the answer.
 */
export type LineObservations = {
  agentAudioMs: number[];
  timeline: { event: string; atMs: number }[];
};

type SimCall = SimulatedCallRequest & {
  createdAt: number;
  step: number;
  sequence: number;
  answeredAt: number | null;
  ended: boolean;
  /** A transfer's <Dial> the call runs, what the person heard, and how it ended. */
  transfer?: TransferDial & { whisper: string | null; dialCallStatus: string | null };
};

/** Beats the transfer's person rings before answering, or before the Dial gives up. */
const TRANSFER_RING_BEATS = 2;
const TRANSFER_NO_ANSWER_BEATS = 4;

export type CreateResult =
  | { ok: true; call: Record<string, string> }
  | { ok: false; status: number; code: number; message: string };

/** 20 ms of μ-law silence (0xFF) at 8 kHz, base64. */
const SILENT_FRAME = bytesToBase64(new Uint8Array(160).fill(0xff));
const FRAME_MS = 20;
/** The far end takes its turn this long after the agent's audio has finished playing. */
const REPLY_GAP_MS = 300;

export class SimulatedCarrier extends DurableObject<Env> {
  private socket: WebSocket | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  /** When the agent audio received so far will have finished playing (ms, wall clock). */
  private playbackEndsAt = 0;
  /** Who is at the far end, once the call is answered. */
  private phone: PhoneSide | undefined;
  /** Marks not echoed yet, each with the timer that echoes it once the audio before it played. */
  private readonly pendingMarks = new Map<ReturnType<typeof setTimeout>, string>();
  /**
   * When the last mark is due to be echoed: each one is due at least 1 ms after the one before,
   * so echoes keep their order (timers due at the same instant may fire in any order).
   */
  private lastMarkDue = 0;
  /** Arrival of each agent media frame (epoch ms). */
  private readonly agentAudioAt: number[] = [];

  async create(req: SimulatedCallRequest): Promise<CreateResult> {
    const existing = await this.ctx.storage.get<SimCall>("call");
    if (existing) return { ok: true, call: callJson(existing, "queued") };
    const outcome = outcomeFor(req.to);
    if (outcome === "refused") {
      return {
        ok: false,
        status: 400,
        code: 21216,
        message: `Call blocked: the carrier refused ${req.to}`,
      };
    }
    if (outcome === "flaky") {
      const failures = ((await this.ctx.storage.get<number>("failures")) ?? 0) + 1;
      await this.ctx.storage.put("failures", failures);
      if (failures <= FLAKY_FAILURES)
        return { ok: false, status: 503, code: 20500, message: "Service unavailable" };
    }
    const call: SimCall = {
      ...req,
      createdAt: Date.now(),
      step: 0,
      sequence: 0,
      answeredAt: null,
      ended: false,
    };
    await this.ctx.storage.put("call", call);
    await this.scheduleNext(call);
    return { ok: true, call: callJson(call, "queued") };
  }

  /** The call as Twilio's fetch shows it, with what the far end heard (keys decoded from our audio). */
  async fetchCall(): Promise<Record<string, unknown> | undefined> {
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call) return undefined;
    const status = call.ended ? "completed" : call.answeredAt === null ? "ringing" : "in-progress";
    const keysHeard = this.phone instanceof PhoneMenu ? this.phone.keysHeard.join("") : "";
    const t = call.transfer;
    const transfer = t
      ? {
          to: t.to,
          caller_id: t.callerId,
          time_limit: t.timeLimitSec,
          whisper: t.whisper,
          dial_call_status: t.dialCallStatus,
        }
      : null;
    return { ...callJson(call, status), simulator: { keys_heard: keysHeard, transfer } };
  }

  /**
   * A REST update with a transfer's <Dial>: as Twilio does, the media stream stops and the call
   * runs the new TwiML. The person rings; if they answer, the <Number url> TwiML is fetched
   * (signed) and "said" to them, they talk TRANSFER_TALK_MS, then the Dial's action URL gets the
   * signed DialCallStatus and DialCallDuration, and its answer (a <Hangup/>) ends the call.
   */
  async transfer(dial: TransferDial): Promise<Record<string, string> | undefined> {
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call || call.ended || call.answeredAt === null || call.transfer) return undefined;
    call.transfer = { ...dial, whisper: null, dialCallStatus: null };
    await this.ctx.storage.put("call", call);
    this.closeStream(call);
    this.ctx.waitUntil(this.runTransfer(call.sid));
    return callJson(call, "in-progress");
  }

  private async runTransfer(sid: string): Promise<void> {
    const at = await this.ctx.storage.get<SimCall>("call");
    if (!at || at.sid !== sid || !at.transfer) return;
    const pace = at.paceMs;
    if (!transferAnswers(at.to)) {
      await sleep(TRANSFER_NO_ANSWER_BEATS * pace);
      return this.dialEnded("no-answer", 0);
    }
    await sleep(TRANSFER_RING_BEATS * pace);
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call?.transfer || call.ended) return;
    const twiml = await this.post(call, call.transfer.whisperUrl, {
      AccountSid: call.accountSid,
      CallSid: childSid(call.sid),
      CallStatus: "in-progress",
      Direction: "outbound-dial",
      From: call.transfer.callerId,
      To: call.transfer.to,
      ParentCallSid: call.sid,
    });
    call.transfer.whisper = twiml === undefined ? null : (parseTwimlSay(twiml) ?? null);
    await this.ctx.storage.put("call", call);
    await sleep(TRANSFER_TALK_MS);
    await this.dialEnded("completed", Math.round(TRANSFER_TALK_MS / 1000));
  }

  private async dialEnded(status: string, durationSec: number): Promise<void> {
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call?.transfer || call.ended) return;
    call.transfer.dialCallStatus = status;
    await this.ctx.storage.put("call", call);
    const answer = await this.post(call, call.transfer.actionUrl, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      CallStatus: "in-progress",
      DialCallSid: childSid(call.sid),
      DialCallStatus: status,
      DialCallDuration: String(durationSec),
      DialBridged: String(status === "completed"),
    });
    // The action's TwiML runs next; ours hangs up (and no TwiML at all ends the call too).
    if (answer === undefined || answer.includes("<Hangup")) await this.finish(call, "completed");
  }

  /** Our API asked to end the call (`Status=completed` or `canceled`). */
  async hangup(): Promise<Record<string, string> | undefined> {
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call) return undefined;
    // Like Twilio, the final callback comes after the REST answer, not inside it.
    if (!call.ended)
      this.ctx.waitUntil(this.finish(call, call.answeredAt === null ? "canceled" : "completed"));
    return callJson(call, call.answeredAt === null ? "canceled" : "completed");
  }

  /** What the line saw so far (GET …/Calls/{sid}.json's `simulator` field). */
  async observations(): Promise<LineObservations | undefined> {
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call) return undefined;
    const stored = await this.ctx.storage.get<LineObservations>("observations");
    if (stored && !this.phone) return stored;
    return this.observe(call);
  }

  private observe(call: SimCall): LineObservations {
    const answeredAt = call.answeredAt ?? call.createdAt;
    return {
      agentAudioMs: this.agentAudioAt.map((t) => t - answeredAt),
      timeline: (this.phone?.timeline ?? []).map((e) => ({
        event: e.event,
        atMs: e.at - answeredAt,
      })),
    };
  }

  async alarm(): Promise<void> {
    const call = await this.ctx.storage.get<SimCall>("call");
    if (!call || call.ended) return;
    const script = scriptFor(outcomeFor(call.to));
    const next = script[call.step];
    if (!next) return;
    call.step += 1;
    await this.ctx.storage.put("call", call);
    await this.act(call, next.action);
    if (!call.ended) await this.scheduleNext(call);
  }

  private async act(call: SimCall, action: ScriptAction): Promise<void> {
    switch (action) {
      case "initiated":
      case "ringing":
        await this.statusCallback(call, action);
        return;
      case "answer":
        call.answeredAt = Date.now();
        await this.ctx.storage.put("call", call);
        await this.statusCallback(call, "in-progress", "answered");
        await this.openStream(call);
        return;
      case "machine":
        await this.amdCallback(call, "machine_start");
        return;
      case "person_hangs_up":
        await this.finish(call, "completed");
        return;
      case "drop_media":
        this.stopTicker();
        this.socket?.close(1011, "network failure");
        this.socket = undefined;
        return;
      case "no_answer":
        await this.finish(call, "no-answer");
        return;
      case "busy":
        await this.finish(call, "busy");
        return;
    }
  }

  private async finish(
    call: SimCall,
    status: "completed" | "canceled" | "no-answer" | "busy",
  ): Promise<void> {
    call.ended = true;
    await this.ctx.storage.put("call", call);
    await this.ctx.storage.put("observations", this.observe(call));
    await this.ctx.storage.deleteAlarm();
    this.closeStream(call);
    const duration =
      call.answeredAt === null ? 0 : Math.round((Date.now() - call.answeredAt) / 1000);
    await this.statusCallback(call, status, "completed", {
      CallDuration: String(duration),
      Duration: String(Math.ceil(duration / 60)),
    });
  }

  private async openStream(call: SimCall): Promise<void> {
    const signature = await twilioSignature(call.authToken, call.stream.url, {});
    const res = await this.transport(call)(
      new Request(httpUrlOfWebSocket(call.stream.url), {
        headers: { upgrade: "websocket", "x-twilio-signature": signature },
      }),
    );
    const ws = res.webSocket;
    if (!ws) {
      console.warn("simulated carrier: media stream refused", {
        sid: call.sid,
        status: res.status,
      });
      return;
    }
    ws.accept();
    this.socket = ws;
    const streamSid = `MZ${call.sid.slice(2)}`;
    ws.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
    ws.send(
      JSON.stringify({
        event: "start",
        sequenceNumber: "1",
        streamSid,
        start: {
          accountSid: call.accountSid,
          streamSid,
          callSid: call.sid,
          tracks: ["inbound"],
          customParameters: call.stream.params,
          mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
        },
      }),
    );
    const phone = phoneFor(
      outcomeFor(call.to),
      call.paceMs,
      (REPLY_GAP_MS * call.paceMs) / 1000,
      call.machineDetection,
    );
    this.phone = phone;
    phone.start(Date.now());
    let chunk = 0;
    this.ticker = setInterval(() => {
      chunk += 1;
      const pcm = phone.nextFrame(Date.now());
      void this.carryOut(phone.drain(), ws, streamSid);
      try {
        ws.send(
          JSON.stringify({
            event: "media",
            sequenceNumber: String(chunk + 1),
            streamSid,
            media: {
              track: "inbound",
              chunk: String(chunk),
              timestamp: String(chunk * FRAME_MS),
              payload: pcm ? bytesToBase64(encodeMulaw(pcm)) : SILENT_FRAME,
            },
          }),
        );
      } catch {
        this.stopTicker();
      }
    }, FRAME_MS);
    ws.addEventListener("close", () => this.stopTicker());
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") this.fromAgent(call, ws, streamSid, e.data);
    });
  }

  /**
   * What our side sends on the stream, handled as Twilio does: media is played in order at real
   * time (scaled by the pace), a mark is echoed once what came before it has played, and `clear`
   * drops unplayed audio and echoes pending marks at once. The far end hears the agent's audio
   * as it plays.
   */
  private fromAgent(call: SimCall, ws: WebSocket, streamSid: string, text: string): void {
    let frame: { event?: string; media?: { payload?: string }; mark?: { name?: string } };
    try {
      frame = JSON.parse(text) as typeof frame;
    } catch {
      return;
    }
    const scale = call.paceMs / 1000;
    const now = Date.now();
    if (frame.event === "media" && frame.media?.payload) {
      let mulaw: Uint8Array;
      try {
        mulaw = base64ToBytes(frame.media.payload);
      } catch {
        return;
      }
      this.agentAudioAt.push(now);
      const from = Math.max(this.playbackEndsAt, now);
      this.playbackEndsAt = from + (mulaw.length / 8) * scale;
      this.phone?.agentAudio(decodeMulaw(mulaw), from, this.playbackEndsAt);
    } else if (frame.event === "mark" && frame.mark?.name) {
      const name = frame.mark.name;
      const due = Math.max(this.playbackEndsAt, this.lastMarkDue + 1);
      this.lastMarkDue = due;
      const timer = setTimeout(
        () => {
          this.pendingMarks.delete(timer);
          this.sendFrame(ws, { event: "mark", streamSid, mark: { name } });
        },
        Math.max(0, due - now),
      );
      this.pendingMarks.set(timer, name);
    } else if (frame.event === "clear") {
      // Twilio drops the unplayed audio and echoes every pending mark at once.
      this.playbackEndsAt = now;
      this.lastMarkDue = now;
      this.phone?.agentCleared(now);
      for (const [timer, name] of this.pendingMarks) {
        clearTimeout(timer);
        this.sendFrame(ws, { event: "mark", streamSid, mark: { name } });
      }
      this.pendingMarks.clear();
    }
  }

  /** What the far end asked for: carrier callbacks, hanging up, keys pressed. */
  private async carryOut(actions: PhoneAction[], ws: WebSocket, streamSid: string): Promise<void> {
    for (const action of actions) {
      const call = await this.ctx.storage.get<SimCall>("call");
      if (!call || call.ended) return;
      switch (action.type) {
        case "amd":
          await this.amdCallback(call, action.answeredBy);
          break;
        case "hang_up":
          await this.finish(call, "completed");
          return;
        case "dtmf":
          this.sendFrame(ws, {
            event: "dtmf",
            streamSid,
            dtmf: { track: "inbound_track", digit: action.digit },
          });
          break;
      }
    }
  }

  private sendFrame(ws: WebSocket, frame: unknown): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // the stream has ended
    }
  }

  private closeStream(call: SimCall): void {
    this.stopTicker();
    const ws = this.socket;
    this.socket = undefined;
    if (!ws) return;
    try {
      const streamSid = `MZ${call.sid.slice(2)}`;
      ws.send(
        JSON.stringify({
          event: "stop",
          streamSid,
          stop: { accountSid: call.accountSid, callSid: call.sid },
        }),
      );
      ws.close(1000, "call ended");
    } catch {
      // the other side already closed it
    }
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) clearInterval(this.ticker);
    for (const timer of this.pendingMarks.keys()) clearTimeout(timer);
    this.pendingMarks.clear();
    this.ticker = undefined;
  }

  private async statusCallback(
    call: SimCall,
    status: string,
    event = status,
    extra: Record<string, string> = {},
  ) {
    if (!call.statusCallback) return;
    if (event !== "completed" && !call.statusEvents.includes(event)) return;
    call.sequence += 1;
    await this.ctx.storage.put("call", call);
    await this.post(call, call.statusCallback, {
      AccountSid: call.accountSid,
      ApiVersion: "2010-04-01",
      CallSid: call.sid,
      CallStatus: status,
      Called: call.to,
      Caller: call.from,
      Direction: "outbound-api",
      From: call.from,
      To: call.to,
      Timestamp: new Date().toUTCString(),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(call.sequence - 1),
      ...extra,
    });
  }

  private async amdCallback(call: SimCall, answeredBy: string) {
    if (!call.amdCallback) return;
    await this.post(call, call.amdCallback, {
      AccountSid: call.accountSid,
      CallSid: call.sid,
      AnsweredBy: answeredBy,
      MachineDetectionDuration: "2100",
    });
  }

  /** Posts a signed callback; its body when it was accepted. */
  private async post(
    call: SimCall,
    url: string,
    params: Record<string, string>,
  ): Promise<string | undefined> {
    const signature = await twilioSignature(call.authToken, url, params);
    try {
      const res = await this.transport(call)(
        new Request(url, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": signature,
          },
          body: new URLSearchParams(params),
        }),
      );
      if (!res.ok) {
        console.warn("simulated carrier: callback refused", { url, status: res.status });
        return undefined;
      }
      return await res.text();
    } catch (e) {
      console.warn("simulated carrier: callback failed", { url, error: String(e) });
      return undefined;
    }
  }

  private transport(call: SimCall): Transport {
    return loopbackTransport(this.ctx.exports.default, call.ownOrigin);
  }

  private async scheduleNext(call: SimCall): Promise<void> {
    const next = scriptFor(outcomeFor(call.to))[call.step];
    if (next) await this.ctx.storage.setAlarm(call.createdAt + next.beat * call.paceMs);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The SID of the leg a transfer dials: derived, so it is stable for a call. */
const childSid = (sid: string) => `CA${sid.slice(2).split("").reverse().join("")}`;

function callJson(call: SimCall, status: string): Record<string, string> {
  return {
    sid: call.sid,
    account_sid: call.accountSid,
    to: call.to,
    from: call.from,
    status,
    direction: "outbound-api",
    api_version: "2010-04-01",
    uri: `/2010-04-01/Accounts/${call.accountSid}/Calls/${call.sid}.json`,
  };
}

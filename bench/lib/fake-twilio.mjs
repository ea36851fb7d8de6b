// Twilio's part for bench:calls, in Node, as the real one behaves toward our Worker: the REST API
// (create a call with inline TwiML, update one to hang up) behind Basic auth, signed status and
// async AMD callbacks, and per answered call a Media Streams WebSocket to the TwiML's <Stream>
// (signed upgrade, `connected`, `start`, then a 20 ms μ-law `media` frame every 20 ms on a real
// clock, marks echoed once the agent audio before them has played, `stop` at the end).
// One 20 ms timer drives every call's frames, so N calls cost the generator one wake-up a tick.
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import { decodeMulaw } from "../../src/audio/mulaw.ts";
import { twilioSignature } from "../../src/telephony/twilio/signature.ts";
import { parseStreamTwiml } from "../../src/telephony/twilio/twiml.ts";
import { FRAME_MS, FrameCutter, INBOUND_PAYLOADS } from "./tagged-audio.mjs";

const SILENCE = Buffer.alloc(160, 0xff).toString("base64");

/**
 * `hooks.streamReady(call)`: may the call's tagged frames start (its model session is set up)?
 * `hooks.agentFrame(call, index, tone, at)`: the carrier got 20 ms of agent audio.
 */
export function fakeTwilio({ accountSid, authToken, hooks }) {
  const calls = new Map();
  const auth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
  const callsPath = `/2010-04-01/Accounts/${accountSid}/Calls`;
  let ticker;

  async function post(url, params) {
    const signature = await twilioSignature(authToken, url, params);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-twilio-signature": signature,
        },
        body: new URLSearchParams(params),
      });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }

  function status(call, callStatus, extra = {}) {
    call.sequence += 1;
    return post(call.statusCallback, {
      AccountSid: accountSid,
      ApiVersion: "2010-04-01",
      CallSid: call.sid,
      CallStatus: callStatus,
      Direction: "outbound-api",
      From: call.from,
      To: call.to,
      CallbackSource: "call-progress-events",
      SequenceNumber: String(call.sequence - 1),
      Timestamp: new Date().toUTCString(),
      ...extra,
    });
  }

  async function answer(call) {
    await status(call, "ringing");
    await new Promise((r) => setTimeout(r, 200));
    call.answeredAt = Date.now();
    await status(call, "in-progress");
    const signature = await twilioSignature(authToken, call.stream.url, {});
    // No permessage-deflate offer: the Worker refuses it in production (wrangler.toml), but
    // wrangler dev's entry Worker would accept it and compress every frame on both sides.
    const ws = new WebSocket(call.stream.url, {
      headers: { "x-twilio-signature": signature },
      perMessageDeflate: false,
    });
    call.ws = ws;
    ws.on("open", () => {
      ws.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
      ws.send(
        JSON.stringify({
          event: "start",
          sequenceNumber: "1",
          streamSid: call.streamSid,
          start: {
            accountSid,
            streamSid: call.streamSid,
            callSid: call.sid,
            tracks: ["inbound"],
            customParameters: call.stream.params,
            mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
          },
        }),
      );
      call.nextFrameAt = Date.now() + FRAME_MS;
    });
    ws.on("message", (data) => fromAgent(call, data.toString()));
    ws.on("error", () => {});
    ws.on("close", () => {
      call.streamClosed = true;
    });
    if (call.amdCallback) {
      setTimeout(() => {
        if (!call.ended)
          void post(call.amdCallback, {
            AccountSid: accountSid,
            CallSid: call.sid,
            AnsweredBy: "human",
            MachineDetectionDuration: "1500",
          });
      }, 1500);
    }
  }

  /** Our Worker's media: agent audio (played in real time), marks (echoed once played). */
  function fromAgent(call, text) {
    const frame = JSON.parse(text);
    const now = Date.now();
    if (frame.event === "media") {
      const mulaw = Buffer.from(frame.media.payload, "base64");
      const from = Math.max(call.playbackEndsAt, now);
      call.playbackEndsAt = from + mulaw.length / 8;
      call.heardAt = performance.now();
      call.cutter.push(decodeMulaw(new Uint8Array(mulaw.buffer, mulaw.byteOffset, mulaw.length)));
    } else if (frame.event === "mark") {
      call.marks.push({ name: frame.mark.name, due: Math.max(call.playbackEndsAt, now) });
    } else if (frame.event === "clear") {
      call.playbackEndsAt = now;
      for (const m of call.marks) m.due = now;
    }
  }

  /** One tick for every call: due frames sent (catching up if the generator was late), marks echoed. */
  function tick() {
    const now = Date.now();
    for (const call of calls.values()) {
      const ws = call.ws;
      if (!ws || ws.readyState !== WebSocket.OPEN || call.nextFrameAt === null) continue;
      while (call.nextFrameAt <= now && !call.talkStopped) {
        call.chunk += 1;
        if (!call.tagging) call.tagging = hooks.streamReady(call);
        const tagged = call.tagging;
        const payload = tagged
          ? INBOUND_PAYLOADS[call.sent.length % INBOUND_PAYLOADS.length]
          : SILENCE;
        const sentAt = performance.now();
        ws.send(
          `{"event":"media","sequenceNumber":"${call.chunk + 1}","streamSid":"${call.streamSid}","media":{"track":"inbound","chunk":"${call.chunk}","timestamp":"${call.chunk * FRAME_MS}","payload":"${payload}"}}`,
        );
        if (tagged) call.sent.push(sentAt);
        call.nextFrameAt += FRAME_MS;
      }
      while (call.marks.length > 0 && call.marks[0].due <= now) {
        const { name } = call.marks.shift();
        ws.send(JSON.stringify({ event: "mark", streamSid: call.streamSid, mark: { name } }));
      }
    }
  }

  /** The far end hangs up: the stream stops, then the final status callback. */
  async function hangUp(call) {
    if (call.ended) return;
    call.ended = true;
    if (call.ws?.readyState === WebSocket.OPEN) {
      call.ws.send(
        JSON.stringify({
          event: "stop",
          streamSid: call.streamSid,
          stop: { accountSid, callSid: call.sid },
        }),
      );
      call.ws.close(1000, "call ended");
    }
    const duration =
      call.answeredAt === null ? 0 : Math.round((Date.now() - call.answeredAt) / 1000);
    await status(call, "completed", {
      CallDuration: String(duration),
      Duration: String(Math.ceil(duration / 60)),
    });
  }

  /** The REST API: answers like Twilio's for the two requests our Worker makes. */
  async function handle(req, res, body) {
    const json = (code, value) => {
      res.writeHead(code, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };
    if (req.headers.authorization !== auth)
      return json(401, { code: 20003, message: "Authenticate" });
    const form = new URLSearchParams(body);
    if (req.method === "POST" && req.url === `${callsPath}.json`) {
      const stream = parseStreamTwiml(form.get("Twiml") ?? "");
      if (!stream) return json(400, { code: 21205, message: "Url or Twiml is required" });
      const sid = `CA${randomBytes(16).toString("hex")}`;
      const call = {
        sid,
        streamSid: `MZ${sid.slice(2)}`,
        to: form.get("To"),
        from: form.get("From"),
        statusCallback: form.get("StatusCallback"),
        amdCallback: form.get("AsyncAmdStatusCallback"),
        stream,
        sequence: 0,
        answeredAt: null,
        ws: null,
        chunk: 0,
        nextFrameAt: null,
        tagging: false,
        talkStopped: false,
        ended: false,
        streamClosed: false,
        sent: [],
        playbackEndsAt: 0,
        marks: [],
        heardAt: 0,
        cutter: null,
      };
      call.cutter = new FrameCutter(160, 8000, (index, tone) =>
        hooks.agentFrame(call, index, tone, call.heardAt),
      );
      calls.set(sid, call);
      json(201, { sid, account_sid: accountSid, to: call.to, from: call.from, status: "queued" });
      void answer(call);
      return;
    }
    const update = new RegExp(`^${callsPath}/(CA[0-9a-f]{32})\\.json$`).exec(req.url ?? "");
    const call = update && calls.get(update[1]);
    if (req.method === "POST" && call) {
      json(200, { sid: call.sid, status: call.ended ? "completed" : "in-progress" });
      if (form.get("Status") === "completed" || form.get("Status") === "canceled")
        void hangUp(call);
      return;
    }
    json(404, { code: 20404, message: "The requested resource was not found" });
  }

  return {
    calls,
    handle,
    hangUp,
    start() {
      ticker = setInterval(tick, FRAME_MS / 4);
    },
    stop() {
      clearInterval(ticker);
    },
  };
}

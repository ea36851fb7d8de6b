/**
 * The voice-model clients against scripted servers speaking the providers' wire protocols
 * (protocols.md C and D), and the bridge's barge-in and goodbye handling.
 */

import { describe, expect, it } from "vitest";
import { decodeMulaw, encodeMulaw } from "../../src/audio/mulaw";
import { base64ToBytes, bytesToBase64, pcm16ToBytes } from "../../src/audio/pcm";
import { Upsampler2x } from "../../src/audio/resample";
import { MediaBridge } from "../../src/call-session/media/media-bridge";
import { END_CALL_TOOL } from "../../src/domain/agent-tools";
import type { TranscriptLine } from "../../src/domain/transcript";
import type { CallerAudio, VoiceSession } from "../../src/ports";
import { twilioMediaCodec } from "../../src/telephony/twilio/media-codec";
import { callerAudioToGemini } from "../../src/voice/gemini-live/audio";
import { parseServerMessage } from "../../src/voice/gemini-live/messages";
import { connectGeminiLive, GEMINI_LIVE_PATH } from "../../src/voice/gemini-live/session";
import { connectOpenAiRealtime } from "../../src/voice/openai-realtime/session";
import { recordingEvents, scriptedServer } from "../fakes/scripted-server";
import { waitFor } from "../wait-for";

const CONFIG = {
  systemPrompt: "You are an AI phone assistant.\nObjective: Ask about Friday.",
  voice: "Kore",
  language: "en-US",
  tools: [END_CALL_TOOL],
};
const silence = new Uint8Array(160).fill(0xff);

/** A caller frame in the forms the bridge hands to a model. */
function callerAudio(mulaw: Uint8Array): CallerAudio {
  return { base64: bytesToBase64(mulaw), pcm: decodeMulaw(mulaw) };
}

describe("Gemini Live client", () => {
  async function connect() {
    const server = scriptedServer();
    const rec = recordingEvents();
    const opening = connectGeminiLive(
      {
        baseUrl: "wss://gemini.test",
        apiKey: "k-123",
        model: "gemini-3.8-live",
        transport: server.transport,
      },
      CONFIG,
      rec.events,
    );
    await server.waitFor(1);
    // setupComplete may come as a binary frame; the client must read it.
    server.send({ setupComplete: {} }, { binary: true });
    const session = await opening;
    // The call is answered: the session greets.
    session.begin();
    return { server, rec, session };
  }

  it("sends setup first, waits for setupComplete, then greets", async () => {
    const { server } = await connect();
    expect(GEMINI_LIVE_PATH).toBe(
      "/ws/google.ai.generativelanguage.v1.GenerativeService.BidiGenerateContent",
    );
    expect(server.requests[0]?.url).toBe(`https://gemini.test${GEMINI_LIVE_PATH}?key=k-123`);
    expect(server.requests[0]?.headers.get("upgrade")).toBe("websocket");
    await server.waitFor(2);
    const [setup, greet] = server.received[0] ?? [];
    expect(setup).toMatchObject({
      setup: {
        model: "models/gemini-3.8-live",
        generationConfig: {
          responseModalities: ["AUDIO"],
          speechConfig: {
            voiceConfig: { prebuiltVoiceConfig: { voiceName: "Kore" } },
            languageCode: "en-US",
          },
        },
        systemInstruction: { parts: [{ text: CONFIG.systemPrompt }] },
        tools: [
          {
            functionDeclarations: [
              expect.objectContaining({
                name: "end_call",
                // Upper-case schema types, as @google/genai sends them.
                parameters: {
                  type: "OBJECT",
                  properties: { reason: { type: "STRING", description: expect.any(String) } },
                  required: [],
                },
              }),
            ],
          },
        ],
        inputAudioTranscription: {},
        outputAudioTranscription: {},
        realtimeInputConfig: expect.objectContaining({
          activityHandling: "START_OF_ACTIVITY_INTERRUPTS",
        }),
      },
    });
    expect(greet).toEqual({ realtimeInput: { text: expect.any(String) } });
  });

  it("sends caller audio as 16 kHz PCM16 and turns 24 kHz model audio into 8 kHz μ-law", async () => {
    const { server, rec, session } = await connect();
    session.sendCallerAudio(callerAudio(silence));
    await server.waitFor(3);
    const audio = server.received[0]?.[2] as {
      realtimeInput: { audio: { mimeType: string; data: string } };
    };
    expect(audio.realtimeInput.audio.mimeType).toBe("audio/pcm;rate=16000");
    expect(base64ToBytes(audio.realtimeInput.audio.data)).toHaveLength(640);
    // 20 ms at 24 kHz, sent in two odd-sized parts: 480 samples in, 160 μ-law bytes out in all.
    const pcm = new Int16Array(480).map((_, i) =>
      Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 24000)),
    );
    const bytes = pcm16ToBytes(pcm);
    server.send({
      serverContent: {
        modelTurn: {
          parts: [
            {
              inlineData: {
                mimeType: "audio/pcm;rate=24000",
                data: bytesToBase64(bytes.subarray(0, 302)),
              },
            },
          ],
        },
      },
    });
    server.send({
      serverContent: {
        modelTurn: {
          parts: [
            {
              inlineData: {
                mimeType: "audio/pcm;rate=24000",
                data: bytesToBase64(bytes.subarray(302)),
              },
            },
          ],
        },
      },
    });
    const audioBytes = () =>
      rec.log.filter(([k]) => k === "audio").reduce((n, [, b]) => n + (b as Uint8Array).length, 0);
    await waitFor(() => audioBytes() >= 160);
    expect(audioBytes()).toBe(160);
  });

  it("reports transcripts of both sides, barge-in, and tool calls, and answers them", async () => {
    const { server, rec, session } = await connect();
    server.send({ serverContent: { inputTranscription: { text: "Is this " } } });
    server.send({ serverContent: { inputTranscription: { text: "a robot?" } } });
    server.send({ serverContent: { outputTranscription: { text: "I am an AI " } } });
    server.send({ serverContent: { outputTranscription: { text: "assistant." } } });
    server.send({ serverContent: { interrupted: true } });
    server.send({ serverContent: { turnComplete: true } });
    server.send({
      toolCall: { functionCalls: [{ id: "fc_9", name: "end_call", args: { reason: "asked to" } }] },
    });
    await waitFor(() => rec.log.some(([k]) => k === "toolCall"));
    expect(rec.log.filter(([k]) => k !== "audio")).toEqual([
      ["transcript", "recipient", "Is this a robot?"],
      ["transcript", "agent", "I am an AI assistant."],
      ["interrupted"],
      ["turnComplete"],
      ["toolCall", { id: "fc_9", name: "end_call", args: { reason: "asked to" } }],
    ]);
    session.toolResult({ id: "fc_9", name: "end_call", args: {} }, { result: "ok" }, false);
    session.inform("(The beep has sounded.)");
    await server.waitFor(4);
    expect(server.received[0]?.[3]).toEqual({ realtimeInput: { text: "(The beep has sounded.)" } });
    expect(server.received[0]?.[2]).toEqual({
      toolResponse: {
        functionResponses: [{ id: "fc_9", name: "end_call", response: { result: "ok" } }],
      },
    });
  });

  it("resumes after goAway with the latest resumption handle", async () => {
    const { server, rec, session } = await connect();
    server.send({ sessionResumptionUpdate: { newHandle: "h-1", resumable: true } });
    server.send({ sessionResumptionUpdate: { newHandle: "h-2", resumable: true } });
    server.send({ goAway: { timeLeft: "50s" } });
    await server.waitFor(1, 1);
    expect(server.received[1]?.[0]).toMatchObject({
      setup: { sessionResumption: { handle: "h-2" } },
    });
    server.send({ setupComplete: {} }, { connection: 1 });
    // Resumed once the session speaks on the new connection.
    await waitFor(() => {
      session.sendCallerAudio(callerAudio(silence));
      return (server.received[1]?.length ?? 0) >= 2;
    });
    expect(rec.log.some(([k]) => k === "closed")).toBe(false);
  });

  it("keeps every caller frame across two goAways, resuming with the latest handle each time", async () => {
    const { server, rec, session } = await connect();
    // Distinct frames (a rising ramp of μ-law codes) so loss or reordering would show.
    const frames = Array.from({ length: 30 }, (_, i) =>
      encodeMulaw(new Int16Array(160).map((_, j) => ((i * 160 + j) % 400) * 40 - 8000)),
    );
    let next = 0;
    const speak = (n: number) => {
      for (let i = 0; i < n; i++) {
        const frame = frames[next++];
        if (frame) session.sendCallerAudio(callerAudio(frame));
      }
    };
    const audioOf = (n: number) =>
      (server.received[n] ?? []).flatMap((m) => {
        const audio = (m as { realtimeInput?: { audio?: { data: string } } }).realtimeInput?.audio;
        return audio ? [audio.data] : [];
      });

    server.send({ sessionResumptionUpdate: { newHandle: "h-1", resumable: true } });
    speak(5);
    await server.waitFor(2 + 5, 0);
    server.send({ goAway: { timeLeft: "50s" } });
    // The new connection is being set up: what the caller says now must wait, not vanish.
    await server.waitFor(1, 1);
    speak(5);
    server.send({ setupComplete: {} }, { connection: 1 });
    await server.waitFor(1 + 5, 1);
    speak(5);
    // A handle the server says is not resumable is not used.
    server.send(
      { sessionResumptionUpdate: { newHandle: "h-2", resumable: true } },
      { connection: 1 },
    );
    server.send(
      { sessionResumptionUpdate: { newHandle: "", resumable: false } },
      { connection: 1 },
    );
    await server.waitFor(1 + 10, 1);
    server.send({ goAway: { timeLeft: "10s" } }, { connection: 1 });
    await server.waitFor(1, 2);
    speak(10);
    server.send({ setupComplete: {} }, { binary: true, connection: 2 });
    await server.waitFor(1 + 10, 2);
    speak(5);
    await server.waitFor(1 + 15, 2);

    const setups = [0, 1, 2].map((n) => server.received[n]?.[0]);
    for (const setup of setups)
      expect(setup).toMatchObject({ setup: { contextWindowCompression: { slidingWindow: {} } } });
    expect(setups[0]).toMatchObject({ setup: { sessionResumption: {} } });
    expect(setups[1]).toMatchObject({ setup: { sessionResumption: { handle: "h-1" } } });
    expect(setups[2]).toMatchObject({ setup: { sessionResumption: { handle: "h-2" } } });

    const sent = [0, 1, 2].map(audioOf);
    expect(sent.map((a) => a.length)).toEqual([5, 10, 15]);
    // Every frame, in order, as one uninterrupted stream through the same resampler state.
    const up = new Upsampler2x();
    const expected = frames.map((f) => callerAudioToGemini(decodeMulaw(f), up));
    expect(sent.flat()).toEqual(expected);
    expect(rec.log.some(([k]) => k === "closed")).toBe(false);
  });

  it("without a handle, a dropped connection is the end of the model leg", async () => {
    const { server, rec } = await connect();
    server.socket(0).close(1011, "Internal error occurred.");
    await waitFor(() => rec.log.some(([k]) => k === "closed"));
    expect(rec.log).toContainEqual(["closed", expect.stringContaining("1011")]);
  });
});

describe("Gemini Live server messages", () => {
  const audio = { inlineData: { mimeType: "audio/pcm;rate=24000", data: "AAA=" } };
  const turn = (parts: unknown[]) => ({ serverContent: { modelTurn: { parts } } });

  it("reads audio, text and binary frames alike, and the same message with more in it", () => {
    const text = JSON.stringify(turn([audio, audio]));
    expect(parseServerMessage(text)).toEqual(turn([audio, audio]));
    expect(parseServerMessage(new TextEncoder().encode(text).buffer)).toEqual(turn([audio, audio]));
    const more = { ...turn([audio]), usageMetadata: { totalTokenCount: 3 } };
    expect(parseServerMessage(JSON.stringify(more))).toEqual(more);
    const withText = turn([{ ...audio, text: "hi" }]);
    expect(parseServerMessage(JSON.stringify(withText))).toEqual(withText);
  });

  it("refuses audio whose fields are not what the schema says", () => {
    for (const bad of [
      turn([{ inlineData: { data: 7 } }]),
      turn([{ inlineData: { data: "AAA=", mimeType: 1 } }]),
      turn([{ inlineData: null }]),
      { serverContent: { modelTurn: { parts: "AAA=" } } },
      { serverContent: { modelTurn: [] } },
    ]) {
      expect(parseServerMessage(JSON.stringify(bad))).toBeUndefined();
    }
  });
});

describe("OpenAI Realtime client", () => {
  async function connect() {
    const server = scriptedServer();
    const rec = recordingEvents();
    const session = await connectOpenAiRealtime(
      {
        baseUrl: "wss://openai.test",
        apiKey: "sk-test",
        model: "gpt-realtime",
        transport: server.transport,
      },
      { ...CONFIG, voice: "marin" },
      rec.events,
    );
    session.begin();
    await server.waitFor(3);
    return { server, rec, session };
  }

  it("configures μ-law both ways, the voice, the tool, then asks for a greeting", async () => {
    const { server } = await connect();
    expect(server.requests[0]?.url).toBe("https://openai.test/v1/realtime?model=gpt-realtime");
    expect(server.requests[0]?.headers.get("authorization")).toBe("Bearer sk-test");
    const [update, item, create] = server.received[0] ?? [];
    expect(update).toMatchObject({
      type: "session.update",
      session: {
        instructions: CONFIG.systemPrompt,
        audio: {
          input: { format: { type: "audio/pcmu" }, turn_detection: { type: "server_vad" } },
          output: { format: { type: "audio/pcmu" }, voice: "marin" },
        },
        tools: [expect.objectContaining({ type: "function", name: "end_call" })],
      },
    });
    expect(item).toMatchObject({ type: "conversation.item.create" });
    expect(create).toEqual({ type: "response.create" });
  });

  it("answers a tool call with its output and, when the model is to carry on, a response", async () => {
    const { server, rec, session } = await connect();
    server.send({
      type: "response.function_call_arguments.done",
      name: "press_keys",
      call_id: "call_8",
      arguments: "not json",
    });
    await waitFor(() => rec.log.some(([k]) => k === "toolCall"));
    expect(rec.log.find(([k]) => k === "toolCall")?.[1]).toEqual({
      id: "call_8",
      name: "press_keys",
      args: {},
    });
    session.toolResult({ id: "call_8", name: "press_keys", args: {} }, { error: "no" }, true);
    await server.waitFor(5);
    expect(server.received[0]?.slice(3)).toEqual([
      {
        type: "conversation.item.create",
        item: { type: "function_call_output", call_id: "call_8", output: '{"error":"no"}' },
      },
      { type: "response.create" },
    ]);
    session.inform("(The person pressed 3.)");
    await server.waitFor(7);
    expect(server.received[0]?.slice(5)).toEqual([
      {
        type: "conversation.item.create",
        item: {
          type: "message",
          role: "user",
          content: [{ type: "input_text", text: "(The person pressed 3.)" }],
        },
      },
      { type: "response.create" },
    ]);
  });

  it("passes μ-law through untouched in both directions", async () => {
    const { server, rec, session } = await connect();
    const caller = new Uint8Array(160).map((_, i) => i);
    session.sendCallerAudio(callerAudio(caller));
    await server.waitFor(4);
    expect(server.received[0]?.[3]).toEqual({
      type: "input_audio_buffer.append",
      audio: bytesToBase64(caller),
    });
    const agent = new Uint8Array(320).map((_, i) => 255 - (i % 256));
    server.send({
      type: "response.output_audio.delta",
      item_id: "it_1",
      delta: bytesToBase64(agent),
    });
    await waitFor(() => rec.log.some(([k]) => k === "audio"));
    expect(rec.log).toContainEqual(["audio", agent]);
  });

  it("reports speech start as interrupted, truncates where told; transcripts and end_call arrive", async () => {
    const { server, rec, session } = await connect();
    server.send({
      type: "response.output_audio.delta",
      item_id: "it_1",
      delta: bytesToBase64(new Uint8Array(800)),
    });
    server.send({ type: "response.output_audio_transcript.delta", delta: "Hello, I am calling " });
    server.send({ type: "input_audio_buffer.speech_started", audio_start_ms: 900 });
    server.send({
      type: "conversation.item.input_audio_transcription.completed",
      transcript: "Who is this?",
    });
    server.send({
      type: "response.function_call_arguments.done",
      name: "end_call",
      call_id: "call_7",
      arguments: '{"reason":"done"}',
    });
    await waitFor(() => rec.log.some(([k]) => k === "toolCall"));
    expect(rec.log.find(([k]) => k === "toolCall")?.[1]).toEqual({
      id: "call_7",
      name: "end_call",
      args: { reason: "done" },
    });
    session.toolResult({ id: "call_7", name: "end_call", args: {} }, { result: "ok" }, false);
    // The bridge knows what Twilio played (mark echoes) and tells the session: 60 of 100 ms.
    session.truncate?.(60);
    await server.waitFor(5);
    expect(server.received[0]?.[3]).toMatchObject({
      type: "conversation.item.create",
      item: { type: "function_call_output", call_id: "call_7" },
    });
    expect(server.received[0]?.[4]).toEqual({
      type: "conversation.item.truncate",
      item_id: "it_1",
      content_index: 0,
      audio_end_ms: 60,
    });
    expect(rec.log.filter(([k]) => k !== "audio")).toEqual([
      ["transcript", "agent", "Hello, I am calling"],
      ["interrupted"],
      ["transcript", "recipient", "Who is this?"],
      ["toolCall", { id: "call_7", name: "end_call", args: { reason: "done" } }],
    ]);
  });
});

const END_CALL = { id: "fc_1", name: "end_call", args: { reason: "done" } };

type Frame = { event: string; mark?: { name: string }; media?: { payload: string } };

/** A bridge between a fake Twilio socket (frames kept) and a fake model (or none). */
function bridge(withModel = true) {
  const sent: Frame[] = [];
  const twilio = { send: (f: string) => sent.push(JSON.parse(f)) } as unknown as WebSocket;
  const hooks = { hungUp: 0, lost: [] as string[] };
  const lines: TranscriptLine[] = [];
  const toModel: Uint8Array[] = [];
  const truncated: number[] = [];
  const model: VoiceSession = {
    sendCallerAudio: (b) => toModel.push(base64ToBytes(b.base64)),
    truncate: (ms) => truncated.push(ms),
    begin: () => undefined,
    toolResult: () => undefined,
    inform: () => undefined,
    close: () => undefined,
  };
  let now = 1000;
  const b = new MediaBridge(
    { socket: twilio, streamId: "MZ1", codec: twilioMediaCodec },
    0,
    undefined,
    {
      agentHungUp: () => hooks.hungUp++,
      modelLost: (r) => hooks.lost.push(r),
      line: (l) => lines.push(l),
      toolCall: () => undefined,
    },
    () => now,
  );
  if (withModel) b.attach(model);
  const marks = () => sent.filter((f) => f.event === "mark").map((f) => f.mark?.name ?? "");
  let echoed = 0;
  return {
    b,
    sent,
    hooks,
    lines,
    toModel,
    truncated,
    marks,
    advance: (ms: number) => (now += ms),
    /** Twilio echoes the next `n` marks, as their audio finishes playing. */
    play: (n: number) => {
      for (const name of marks().slice(echoed, echoed + n)) b.mark(name);
      echoed += n;
    },
    /** Twilio answers a clear: every mark not echoed yet comes back at once. */
    echoPending: () => {
      for (const name of marks().slice(echoed)) b.mark(name);
      echoed = marks().length;
    },
  };
}

/** 20 ms of loud, voice-like μ-law (well above the speech detector's threshold). */
const LOUD = bytesToBase64(encodeMulaw(new Int16Array(160).map((_, i) => (i % 2 ? 9000 : -9000))));
const QUIET = bytesToBase64(silence);

describe("media bridge", () => {
  it("drops a media payload that is not base64, quietly, and goes on", () => {
    const { b, toModel } = bridge();
    expect(() => b.recipientAudio("not base64 at all!")).not.toThrow();
    b.recipientAudio(bytesToBase64(silence));
    expect(toModel).toEqual([silence]);
  });

  it("forwards caller audio to the model and agent audio to Twilio", () => {
    const { b, sent, toModel } = bridge();
    b.recipientAudio(bytesToBase64(silence));
    expect(toModel).toEqual([silence]);
    b.audio(new Uint8Array([1, 2, 3]));
    expect(sent[0]).toEqual({
      event: "media",
      streamSid: "MZ1",
      media: { payload: bytesToBase64(new Uint8Array([1, 2, 3])) },
    });
  });

  it("barge-in clears Twilio's buffer at once", () => {
    const { b, sent } = bridge();
    b.audio(new Uint8Array(160));
    b.interrupted();
    expect(sent.at(-1)).toEqual({ event: "clear", streamSid: "MZ1" });
  });

  it("hangs up after the goodbye has played (mark echo), once", () => {
    const { b, sent, hooks, play } = bridge();
    b.toolCall(END_CALL);
    expect(sent.at(-1)).toEqual({ event: "mark", streamSid: "MZ1", mark: { name: "end_call.0" } });
    expect(hooks.hungUp).toBe(0);
    play(1);
    b.mark("end_call.0");
    expect(hooks.hungUp).toBe(1);
    b.finish();
  });

  it("marks the agent audio sent so far every 100 ms of it, and where its turn ends", () => {
    const { b, sent } = bridge();
    for (let i = 0; i < 7; i++) b.audio(new Uint8Array(160)); // 140 ms in 20 ms chunks
    b.turnComplete();
    b.turnComplete(); // nothing new sent: no second mark at the same place
    expect(sent.map((f) => f.event)).toEqual([
      ...["media", "media", "media", "media", "media", "mark"],
      ...["media", "media", "mark"],
    ]);
    expect(sent.filter((f) => f.mark).map((f) => f.mark?.name)).toEqual(["0.800", "0.1120"]);
  });

  it("marks where an agent line ends, so the line is released once exactly that has played", () => {
    const { b, sent, lines } = bridge();
    b.audio(new Uint8Array(320));
    b.transcript("agent", "Hi.");
    expect(sent.at(-1)?.mark?.name).toBe("0.320");
    b.mark("0.320");
    expect(lines.map((l) => l.text)).toEqual(["Hi."]);
  });

  it("the person talking over audio still queued after the model's turn ended gets a clear", () => {
    const { b, sent, lines, play, truncated } = bridge();
    for (let i = 0; i < 10; i++) b.audio(new Uint8Array(800)); // 1 s of audio, sent at once
    b.transcript("agent", "One two three four five six seven eight nine ten");
    b.turnComplete(); // generation is over; playback is not
    play(4); // 400 ms played
    expect(lines).toEqual([]);
    for (let i = 0; i < 3; i++) b.recipientAudio(LOUD); // the model says nothing: our detector
    expect(sent.at(-1)).toEqual({ event: "clear", streamSid: "MZ1" });
    expect(truncated).toEqual([400]);
    expect(lines).toEqual([{ speaker: "agent", text: "One two three four —", offsetMs: 1000 }]);
  });

  it("speech after everything has played is no barge-in, and the line is kept whole", () => {
    const { b, sent, lines, play } = bridge();
    b.audio(new Uint8Array(800));
    b.transcript("agent", "Hello there.");
    b.turnComplete();
    play(1);
    expect(lines.map((l) => l.text)).toEqual(["Hello there."]);
    for (let i = 0; i < 3; i++) b.recipientAudio(LOUD);
    b.interrupted();
    expect(sent.some((f) => f.event === "clear")).toBe(false);
  });

  it("a clear during the goodbye: its echoes prove nothing, the call is not ended early", () => {
    const { b, sent, hooks, play, echoPending } = bridge();
    b.audio(new Uint8Array(800));
    b.audio(new Uint8Array(800));
    b.toolCall(END_CALL);
    play(1);
    b.interrupted(); // the person talks over the goodbye
    expect(sent.at(-1)).toEqual({ event: "clear", streamSid: "MZ1" });
    echoPending(); // Twilio returns every pending mark at once, the goodbye's too
    expect(hooks.hungUp).toBe(0);
    // The model hears the person out and says goodbye again; that one plays to its end.
    b.audio(new Uint8Array(800));
    b.toolCall(END_CALL);
    echoPending();
    expect(hooks.hungUp).toBe(1);
    b.finish();
  });

  it("puts a recipient line at the start of the speech it transcribes, however late it comes", () => {
    const { b, lines, advance, play } = bridge();
    advance(500); // t = 1500: the greeting
    b.audio(new Uint8Array(800));
    b.transcript("agent", "Hello, this is an assistant.");
    b.turnComplete();
    play(1);
    advance(1800); // t = 3300: the person speaks for 400 ms
    for (let i = 0; i < 20; i++) {
      advance(20);
      b.recipientAudio(LOUD);
    }
    for (let i = 0; i < 10; i++) {
      advance(20);
      b.recipientAudio(QUIET);
    }
    advance(500); // the reply
    b.audio(new Uint8Array(800));
    b.transcript("agent", "I am calling about Friday.");
    b.turnComplete();
    play(1);
    advance(400);
    b.transcript("recipient", "Hello? Who is this?"); // Gemini's late input transcription
    expect(lines).toEqual([
      { speaker: "agent", text: "Hello, this is an assistant.", offsetMs: 1500 },
      { speaker: "agent", text: "I am calling about Friday.", offsetMs: 4400 },
      { speaker: "recipient", text: "Hello? Who is this?", offsetMs: 3300 },
    ]);
  });

  it("measures response latency from the recipient's end of speech", () => {
    const { b, advance } = bridge();
    for (let i = 0; i < 5; i++) {
      advance(20);
      b.recipientAudio(LOUD);
    }
    advance(480);
    b.audio(new Uint8Array(160));
    expect(b.finish()).toEqual({ turns: 1, p50Ms: 480, p95Ms: 480, firstReplyMs: 480 });
  });

  it("measures the first reply: the person's \"Hello?\" to the agent's first audio", () => {
    const { b, advance } = bridge();
    advance(700); // silence on answer, then "Hello?" (400 ms)
    for (let i = 0; i < 20; i++) {
      advance(20);
      b.recipientAudio(i < 20 ? LOUD : QUIET);
    }
    for (let i = 0; i < 40; i++) {
      advance(20);
      b.recipientAudio(QUIET);
    }
    // The greeting starts 1.2 s after "Hello?" ended; later turns are faster.
    advance(400);
    b.audio(new Uint8Array(160));
    b.turnComplete();
    for (let i = 0; i < 10; i++) {
      advance(20);
      b.recipientAudio(LOUD);
    }
    advance(300);
    b.audio(new Uint8Array(160));
    expect(b.finish()).toEqual({ turns: 2, p50Ms: 300, p95Ms: 1200, firstReplyMs: 1200 });
  });
});

describe("OpenAI Realtime through the bridge", () => {
  it("barge-in after response.done: clear, and a truncate at the audio the caller heard", async () => {
    const server = scriptedServer();
    const t = bridge(false);
    const session = await connectOpenAiRealtime(
      {
        baseUrl: "wss://openai.test",
        apiKey: "sk-test",
        model: "gpt-realtime",
        transport: server.transport,
      },
      { ...CONFIG, voice: "marin" },
      t.b,
    );
    session.begin();
    t.b.attach(session);
    await server.waitFor(3);
    // 500 ms of answer, generated at once, faster than it plays.
    for (let i = 0; i < 5; i++)
      server.send({
        type: "response.output_audio.delta",
        item_id: "it_1",
        delta: bytesToBase64(new Uint8Array(800)),
      });
    server.send({
      type: "response.output_audio_transcript.delta",
      delta: "One two three four five",
    });
    server.send({ type: "response.output_audio_transcript.done" });
    server.send({ type: "response.done" });
    await waitFor(() => t.marks().length === 5);
    t.play(3); // Twilio has played 300 ms of it
    server.send({ type: "input_audio_buffer.speech_started", audio_start_ms: 900 });
    await server.waitFor(4);
    expect(server.received[0]?.[3]).toEqual({
      type: "conversation.item.truncate",
      item_id: "it_1",
      content_index: 0,
      audio_end_ms: 300,
    });
    expect(t.sent.at(-1)).toEqual({ event: "clear", streamSid: "MZ1" });
    expect(t.lines).toEqual([{ speaker: "agent", text: "One two three —", offsetMs: 1000 }]);
    // Speech once nothing is queued is no barge-in: no second clear or truncate.
    server.send({ type: "input_audio_buffer.speech_started", audio_start_ms: 3000 });
    await new Promise((r) => setTimeout(r, 20));
    expect(t.sent.filter((f) => f.event === "clear")).toHaveLength(1);
    expect(server.received[0]).toHaveLength(4);
    t.b.finish();
  });
});

describe("system prompt", () => {
  it("states the objective, keeps the context private, and sets honest rules", async () => {
    const { buildSystemPrompt } = await import("../../src/voice/system-prompt");
    const prompt = buildSystemPrompt({
      objective: "Book a table for 4.",
      context: "Card ends 4242.",
      language: "en-GB",
    });
    expect(prompt).toContain("Objective: Book a table for 4.");
    expect(prompt).toMatch(/AI assistant calling on someone's behalf/);
    expect(prompt).toMatch(/Never claim to be human/);
    expect(prompt).toMatch(/end_call/);
    expect(prompt).toMatch(/Speak en-GB/);
    expect(prompt).toMatch(/never read it out[^\n]*\nCard ends 4242\.$/);
    expect(buildSystemPrompt({ objective: "x", context: null, language: "auto" })).toMatch(
      /language the person answers in/,
    );
  });
});

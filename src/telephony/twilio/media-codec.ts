/**
 * Twilio Media Streams frames (protocols.md B) as the carrier-neutral MediaCodec. Control frames
 * are validated with zod; `media` frames (every ~20 ms) and `mark` echoes (every ~100 ms while
 * the agent speaks) are checked by hand, for the one field read from each.
 */
import { z } from "zod";
import type { MediaCodec, MediaFrame } from "../../ports";

const ControlFrame = z.discriminatedUnion("event", [
  z.object({ event: z.literal("connected") }),
  z.object({
    event: z.literal("start"),
    streamSid: z.string(),
    start: z.object({
      callSid: z.string(),
      streamSid: z.string(),
      customParameters: z.record(z.string(), z.string()).default({}),
    }),
  }),
  z.object({ event: z.literal("stop"), streamSid: z.string() }),
  z.object({
    event: z.literal("dtmf"),
    streamSid: z.string(),
    dtmf: z.object({ digit: z.string() }),
  }),
]);

function parse(text: string): MediaFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const frame = value as {
    event?: unknown;
    media?: { payload?: unknown } | null;
    mark?: { name?: unknown } | null;
  };
  if (frame.event === "media") {
    const payload = frame.media?.payload;
    return typeof payload === "string" ? { kind: "media", payload } : undefined;
  }
  if (frame.event === "mark") {
    const name = frame.mark?.name;
    return typeof name === "string" ? { kind: "mark", name } : undefined;
  }
  const parsed = ControlFrame.safeParse(value);
  if (!parsed.success) return undefined;
  const f = parsed.data;
  switch (f.event) {
    case "connected":
      return { kind: "connected" };
    case "start":
      return { kind: "start", streamId: f.streamSid, params: f.start.customParameters };
    case "stop":
      return { kind: "stop" };
    case "dtmf":
      return { kind: "dtmf", digit: f.dtmf.digit };
  }
}

export const twilioMediaCodec: MediaCodec = {
  parse,
  media: (streamSid, payload) => JSON.stringify({ event: "media", streamSid, media: { payload } }),
  clear: (streamSid) => JSON.stringify({ event: "clear", streamSid }),
  mark: (streamSid, name) => JSON.stringify({ event: "mark", streamSid, mark: { name } }),
};

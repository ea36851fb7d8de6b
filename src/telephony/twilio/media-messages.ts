/**
 * Twilio Media Streams frames (protocols.md B). Control frames are validated with zod; `media`
 * frames arrive every ~20 ms and are checked by hand. All numeric-looking fields are strings.
 */
import { z } from "zod";

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
    event: z.literal("mark"),
    streamSid: z.string(),
    mark: z.object({ name: z.string() }),
  }),
  z.object({
    event: z.literal("dtmf"),
    streamSid: z.string(),
    dtmf: z.object({ digit: z.string() }),
  }),
]);

export type MediaFrame = { event: "media"; payload: string; timestamp: number };
export type ControlFrame = z.infer<typeof ControlFrame>;
export type StreamFrame = MediaFrame | ControlFrame;

export function parseStreamFrame(text: string): StreamFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const frame = value as { event?: unknown; media?: { payload?: unknown; timestamp?: unknown } };
  if (frame.event === "media") {
    const payload = frame.media?.payload;
    if (typeof payload !== "string") return undefined;
    return { event: "media", payload, timestamp: Number(frame.media?.timestamp ?? 0) };
  }
  const parsed = ControlFrame.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Frames we send to Twilio. */
export const outbound = {
  media: (streamSid: string, payload: string) =>
    JSON.stringify({ event: "media", streamSid, media: { payload } }),
  clear: (streamSid: string) => JSON.stringify({ event: "clear", streamSid }),
  mark: (streamSid: string, name: string) =>
    JSON.stringify({ event: "mark", streamSid, mark: { name } }),
};

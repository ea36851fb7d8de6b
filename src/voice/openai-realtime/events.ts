/**
 * OpenAI Realtime (GA) events (protocols.md D), typed by the `openai` SDK's own
 * `RealtimeClientEvent` / `RealtimeServerEvent` (type-only imports: nothing is bundled). Every
 * event we send `satisfies RealtimeClientEvent`; server events are validated on the fields the
 * session reads (other fields kept as they came) and narrowed to those SDK event types.
 */
import type {
  ConversationItemInputAudioTranscriptionCompletedEvent,
  InputAudioBufferSpeechStartedEvent,
  RealtimeClientEvent,
  RealtimeErrorEvent,
  ResponseAudioDeltaEvent,
  ResponseAudioTranscriptDeltaEvent,
  ResponseAudioTranscriptDoneEvent,
  ResponseDoneEvent,
  ResponseFunctionCallArgumentsDoneEvent,
} from "openai/resources/realtime/realtime";
import { z } from "zod";

export type OpenAiClientEvent = RealtimeClientEvent;

/**
 * The server events the session acts on, with the fields it reads (only those are required: other
 * fields the SDK declares, such as event_id, are not checked), as the SDK declares them.
 */
export type OpenAiServerEvent =
  | Pick<ResponseAudioDeltaEvent, "type" | "delta" | "item_id">
  | Pick<ResponseAudioTranscriptDeltaEvent, "type" | "delta">
  | Pick<ResponseAudioTranscriptDoneEvent, "type">
  | Pick<ConversationItemInputAudioTranscriptionCompletedEvent, "type" | "transcript">
  | Pick<InputAudioBufferSpeechStartedEvent, "type">
  | Pick<ResponseFunctionCallArgumentsDoneEvent, "type" | "name" | "call_id" | "arguments">
  | Pick<ResponseDoneEvent, "type">
  | { type: RealtimeErrorEvent["type"]; error: Pick<RealtimeErrorEvent["error"], "message"> };

const ServerEvent = z.discriminatedUnion("type", [
  z.looseObject({
    type: z.literal("response.output_audio.delta"),
    delta: z.string(),
    item_id: z.string(),
  }),
  z.looseObject({ type: z.literal("response.output_audio_transcript.delta"), delta: z.string() }),
  z.looseObject({ type: z.literal("response.output_audio_transcript.done") }),
  z.looseObject({
    type: z.literal("conversation.item.input_audio_transcription.completed"),
    transcript: z.string(),
  }),
  z.looseObject({ type: z.literal("input_audio_buffer.speech_started") }),
  z.looseObject({
    type: z.literal("response.function_call_arguments.done"),
    name: z.string(),
    call_id: z.string(),
    arguments: z.string(),
  }),
  z.looseObject({ type: z.literal("response.done") }),
  z.looseObject({ type: z.literal("error"), error: z.looseObject({ message: z.string() }) }),
]) satisfies z.ZodType<OpenAiServerEvent>;

/** A text frame as one of the events the session acts on; undefined for any other frame. */
export function parseServerEvent(data: unknown): OpenAiServerEvent | undefined {
  if (typeof data !== "string") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  const parsed = ServerEvent.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

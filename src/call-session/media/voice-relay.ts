/**
 * Stands in for the bridge while the voice model is set up during ringing: once the call is
 * answered the bridge takes over (`target`). Before that the model says nothing (it has not been
 * asked to begin), so only its loss matters.
 */
import type { ToolCall } from "../../domain/tool";
import type { Speaker } from "../../domain/transcript";
import type { VoiceEvents } from "../../ports";

export class VoiceRelay implements VoiceEvents {
  target: VoiceEvents | undefined;
  /** The model's connection ended before the bridge took over. */
  lost = false;

  audio(mulaw: Uint8Array): void {
    this.target?.audio(mulaw);
  }
  interrupted(): void {
    this.target?.interrupted();
  }
  transcript(speaker: Speaker, text: string): void {
    this.target?.transcript(speaker, text);
  }
  turnComplete(): void {
    this.target?.turnComplete();
  }
  toolCall(call: ToolCall): void {
    this.target?.toolCall(call);
  }
  closed(reason: string): void {
    if (this.target) this.target.closed(reason);
    else this.lost = true;
  }
}

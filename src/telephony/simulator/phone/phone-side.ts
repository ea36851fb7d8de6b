/**
 * The far end of a simulated call once it is answered: what the person, machine or menu there
 * says (audio toward our media endpoint, one 20 ms frame at a time on the stream's real clock)
 * and does (the carrier actions it asks for). The SimulatedCarrier drives it: every tick it asks
 * for the next frame, it hands over the agent's audio with when it plays, and it carries out the
 * actions. A scenario extends this class and reacts in its hooks. Time is passed in; no I/O.
 */
import { lineAudio, type PhoneLineKey } from "../../../simulator/phone-lines";

export const FRAME_SAMPLES = 160;

export type PhoneAction =
  /** An asynchronous AMD callback with this `AnsweredBy`. */
  | { type: "amd"; answeredBy: string }
  /** The far end hangs up. */
  | { type: "hang_up" }
  /** A key the far end pressed, as a Twilio `dtmf` frame. */
  | { type: "dtmf"; digit: string };

type Timer = { at: number; run: (now: number) => void };

export abstract class PhoneSide {
  private readonly queue: Int16Array[] = [];
  private queued = 0;
  private timers: Timer[] = [];
  private actions: PhoneAction[] = [];
  /** When the agent audio received so far will have finished playing (-1: none yet). */
  private agentPlaysUntil = -1;
  private agentTurnOpen = false;
  protected answeredAt = 0;
  /** Agent turns that have finished playing so far. */
  protected agentTurns = 0;

  /** What the far end did and when (epoch ms), for the simulator's call record (tests read it). */
  readonly timeline: { event: string; at: number }[] = [];

  /** When the far end last heard or said something. */
  private lastActivity = 0;
  private hungUp = false;

  /**
   * `replyGapMs`: how long after the agent's audio stops the far end takes it as its turn.
   * `patienceMs`: how long it waits in silence (nobody speaking) before it hangs up.
   */
  constructor(
    protected readonly replyGapMs: number,
    private readonly patienceMs = Number.POSITIVE_INFINITY,
  ) {}

  /** The call was answered and its media stream is open. */
  start(now: number): void {
    this.answeredAt = now;
    this.lastActivity = now;
    this.onAnswer(now);
  }

  /** Agent audio (8 kHz PCM) that plays at the phone from `from` to `until`. */
  agentAudio(pcm: Int16Array, from: number, until: number): void {
    this.agentPlaysUntil = Math.max(this.agentPlaysUntil, until);
    this.agentTurnOpen = true;
    this.onAgentAudio(pcm, from);
  }

  /** The carrier dropped the agent audio not yet played (a `clear`). */
  agentCleared(now: number): void {
    if (this.agentPlaysUntil > now) this.agentPlaysUntil = now;
  }

  /** The next frame toward our side, or null for silence. Called every 20 ms. */
  nextFrame(now: number): Int16Array | null {
    const due = this.timers.filter((t) => t.at <= now);
    this.timers = this.timers.filter((t) => t.at > now);
    for (const t of due) t.run(now);
    if (this.agentTurnOpen && now >= this.agentPlaysUntil + this.replyGapMs) {
      this.agentTurnOpen = false;
      this.agentTurns += 1;
      this.onAgentTurnEnd(now);
    }
    const frame = this.take();
    if (frame || this.agentSpeaking(now)) this.lastActivity = now;
    else if (!this.hungUp && now - this.lastActivity > this.patienceMs) {
      this.hungUp = true;
      this.act({ type: "hang_up" });
    }
    return frame;
  }

  /** What the far end asked the carrier to do since the last call. */
  drain(): PhoneAction[] {
    const out = this.actions;
    this.actions = [];
    return out;
  }

  /** Whether the agent's audio is playing at the phone now. */
  protected agentSpeaking(now: number): boolean {
    return this.agentPlaysUntil > now;
  }

  /** Whether the far end still has audio queued to send. */
  protected speaking(): boolean {
    return this.queued > 0;
  }

  protected say(key: PhoneLineKey): void {
    this.play(lineAudio(key));
  }

  /** Queues 8 kHz PCM after whatever is queued. */
  protected play(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.queue.push(pcm);
    this.queued += pcm.length;
  }

  protected silence(ms: number): void {
    this.play(new Int16Array(Math.round(ms * 8)));
  }

  /** Drops what is queued (the far end stops talking). */
  protected hush(): void {
    this.queue.length = 0;
    this.queued = 0;
  }

  protected after(ms: number, now: number, run: (now: number) => void): void {
    this.timers.push({ at: now + ms, run });
  }

  protected note(event: string, at: number): void {
    this.timeline.push({ event, at });
  }

  protected act(action: PhoneAction): void {
    this.actions.push(action);
  }

  protected onAnswer(_now: number): void {}
  protected onAgentAudio(_pcm: Int16Array, _playsFrom: number): void {}
  /** The agent's audio has finished playing and the gap after it has passed. */
  protected onAgentTurnEnd(_now: number): void {}

  private take(): Int16Array | null {
    if (this.queued === 0) return null;
    const frame = new Int16Array(FRAME_SAMPLES);
    let filled = 0;
    while (filled < FRAME_SAMPLES && this.queue.length > 0) {
      const head = this.queue[0] as Int16Array;
      const n = Math.min(FRAME_SAMPLES - filled, head.length);
      frame.set(head.subarray(0, n), filled);
      filled += n;
      if (n === head.length) this.queue.shift();
      else this.queue[0] = head.subarray(n);
    }
    this.queued -= filled;
    return frame;
  }
}

/** A line that stays open and says nothing. */
export class SilentPhone extends PhoneSide {}

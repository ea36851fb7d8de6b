/**
 * The simulated phone menus of issue 15 (+14155550113..115): an automated menu that hears the
 * keys the agent presses by decoding its audio (Goertzel, audio/dtmf.ts), as a real IVR does
 * with in-band DTMF. What a key leads to is the scenario's `route`:
 * - `person`: someone picks up and completes the objective;
 * - `hold`: "please hold", hold music (with an announcement every 8 s) for `holdMs`, then a person;
 * - `repeat`: the menu plays again.
 */
import { DtmfDetector } from "../../../audio/dtmf";
import { holdMusicPhrase } from "../../../simulator/hold-music";
import { lineAudio } from "../../../simulator/phone-lines";
import { PhoneSide } from "./phone-side";

export type MenuRoute = "person" | "hold" | "repeat";

/** Silence after each phrase of hold music (the listener hears phrases as separate sounds). */
const MUSIC_GAP_MS = 400;
const ANNOUNCE_EVERY_MS = 8000;

export class PhoneMenu extends PhoneSide {
  /** Every key decoded from the agent's audio, in order. */
  readonly keysHeard: string[] = [];
  private readonly detector = new DtmfDetector(8000);
  private pending: string[] = [];
  private stage: "menu" | "hold" | "person" = "menu";
  /** Agent turns heard before the person picked up. */
  private turnsBeforePerson = 0;
  private confirmed = false;

  constructor(
    replyGapMs: number,
    patienceMs: number,
    private readonly route: (key: string) => MenuRoute,
    private readonly holdMs = 0,
  ) {
    super(replyGapMs, patienceMs);
  }

  protected override onAnswer(): void {
    this.silence(300);
    this.say("ivr_menu");
  }

  protected override onAgentAudio(pcm: Int16Array): void {
    const keys = this.detector.push(pcm);
    this.keysHeard.push(...keys);
    if (this.stage === "menu") this.pending.push(...keys);
  }

  protected override onAgentTurnEnd(): void {
    if (this.stage === "person") {
      // The agent has said what it wants: the person agrees, once.
      if (this.agentTurns > this.turnsBeforePerson && !this.confirmed) {
        this.confirmed = true;
        this.say("booking_confirmed");
      }
      return;
    }
    if (this.stage !== "menu" || this.pending.length === 0) return;
    const key = this.pending[0] as string;
    this.pending = [];
    this.hush();
    this.silence(300);
    switch (this.route(key)) {
      case "repeat":
        this.say("ivr_menu");
        return;
      case "person":
        this.personPicksUp();
        return;
      case "hold":
        this.stage = "hold";
        this.say("please_hold");
        this.playHold();
        this.personPicksUp();
        return;
    }
  }

  /** Hold music for `holdMs`, an announcement every 8 s of it. */
  private playHold(): void {
    const phrase = holdMusicPhrase();
    const phraseMs = phrase.length / 8 + MUSIC_GAP_MS;
    // A pause after "please hold", so the line is heard on its own before the music.
    this.silence(MUSIC_GAP_MS);
    let played = MUSIC_GAP_MS;
    let sinceAnnouncement = 0;
    while (played < this.holdMs) {
      if (sinceAnnouncement >= ANNOUNCE_EVERY_MS) {
        const line = lineAudio("hold_announcement");
        this.play(line);
        this.silence(MUSIC_GAP_MS);
        const ms = line.length / 8 + MUSIC_GAP_MS;
        played += ms;
        sinceAnnouncement = 0;
        continue;
      }
      this.play(phrase);
      this.silence(MUSIC_GAP_MS);
      played += phraseMs;
      sinceAnnouncement += phraseMs;
    }
  }

  /** A person picks up (after whatever is queued) and greets. */
  private personPicksUp(): void {
    this.turnsBeforePerson = this.agentTurns;
    this.say(this.stage === "hold" ? "hold_person" : "ivr_person");
    this.stage = "person";
  }
}

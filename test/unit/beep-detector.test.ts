/**
 * The beep detector on generated audio (test/beep-corpus.ts): every beep after a greeting is found
 * soon after it starts, whatever its frequency in the band and its level, and nothing else is a
 * beep: coded speech, speech over noise, noise, fax calling tones without a greeting, dual tones.
 */
import { describe, expect, it } from "vitest";
import { type Beep, BeepDetector } from "../../src/audio/beep-detector";
import { GREETING_SILENCE_MS, GreetingSilence } from "../../src/audio/greeting-silence";
import { speechFor } from "../../src/simulator/speech-code";
import { beepSamples, noBeepSamples } from "../beep-corpus";

/** The sample in 20 ms frames, as the media stream delivers it. */
function detect(pcm: Int16Array): Beep[] {
  const detector = new BeepDetector();
  const beeps: Beep[] = [];
  for (let i = 0; i < pcm.length; i += 160) beeps.push(...detector.push(pcm.subarray(i, i + 160)));
  return beeps;
}

describe("beep detector", () => {
  it("finds every beep within 200 ms of its start, at the tone's frequency", () => {
    for (const sample of beepSamples()) {
      const beeps = detect(sample.pcm);
      expect(beeps, sample.name).toHaveLength(1);
      const [beep] = beeps as [Beep];
      const delayMs = (beep.detectedSample - (sample.beepAtSample ?? 0)) / 8;
      expect(delayMs, sample.name).toBeGreaterThanOrEqual(150);
      expect(delayMs, sample.name).toBeLessThanOrEqual(200);
      expect(Math.abs(beep.startSample - (sample.beepAtSample ?? 0)), sample.name).toBeLessThan(
        320,
      );
    }
  });

  it("hears no beep in speech, noise, fax tones or dual tones", () => {
    const falseBeeps = noBeepSamples().filter((s) => detect(s.pcm).length > 0);
    expect(falseBeeps.map((s) => s.name)).toEqual([]);
  });

  it("needs speech before the tone: a tone alone is not a beep", () => {
    const tonesOnly = beepSamples().map((s) => s.pcm.subarray(s.beepAtSample ?? 0));
    expect(tonesOnly.filter((pcm) => detect(pcm).length > 0)).toHaveLength(0);
  });

  it("reports one beep however the audio is split", () => {
    const [sample] = beepSamples();
    const detector = new BeepDetector();
    const pcm = sample?.pcm ?? new Int16Array();
    const beeps: Beep[] = [];
    for (let i = 0; i < pcm.length; i += 37) beeps.push(...detector.push(pcm.subarray(i, i + 37)));
    expect(beeps).toEqual(detect(pcm));
  });
});

describe("greeting silence (a greeting with no beep)", () => {
  /** When (ms into `pcm`) the silence is reported, in 20 ms frames; undefined if never. */
  function silentAt(pcm: Int16Array): number | undefined {
    const silence = new GreetingSilence();
    for (let i = 0; i < pcm.length; i += 160)
      if (silence.push(pcm.subarray(i, i + 160))) return (i + 160) / 8;
    return undefined;
  }
  const greeting = speechFor(3, 10);
  const withSilence = (ms: number) => {
    const pcm = new Int16Array(greeting.length + ms * 8);
    pcm.set(greeting);
    return pcm;
  };

  it("reports once the silence after speech has lasted long enough", () => {
    const at = silentAt(withSilence(GREETING_SILENCE_MS + 500));
    expect(at).toBeDefined();
    // The last syllable fades out a little before the greeting's samples end.
    expect((at as number) - greeting.length / 8).toBeGreaterThanOrEqual(GREETING_SILENCE_MS - 100);
    expect((at as number) - greeting.length / 8).toBeLessThan(GREETING_SILENCE_MS + 40);
  });

  it("says nothing for the pauses inside speech, or for silence with no speech before", () => {
    expect(silentAt(withSilence(GREETING_SILENCE_MS - 200))).toBeUndefined();
    expect(silentAt(new Int16Array(8 * (GREETING_SILENCE_MS + 1000)))).toBeUndefined();
  });
});

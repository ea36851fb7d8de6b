/**
 * The beep detector on generated audio (test/beep-corpus.ts): every beep after a greeting is found
 * soon after it starts, whatever its frequency in the band and its level, and nothing else is a
 * beep: coded speech, speech over noise, noise, fax calling tones without a greeting, dual tones.
 */
import { describe, expect, it } from "vitest";
import { type Beep, BeepDetector } from "../../src/audio/beep-detector";
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

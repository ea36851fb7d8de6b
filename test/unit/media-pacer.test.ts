import { describe, expect, it } from "vitest";
import { MAX_MEDIA_FRAMES_PER_SEC, MediaPacer } from "../../src/call-session/media/media-pacer";

describe("MediaPacer", () => {
  it("forwards a real-time stream (a frame every 20 ms) and reports it flowing every heartbeat", () => {
    const pacer = new MediaPacer(5000);
    const beats: number[] = [];
    for (let t = 0; t < 12_000; t += 20) {
      const v = pacer.frame(t);
      expect(v.forward).toBe(true);
      if (v.heartbeat) beats.push(t);
    }
    expect(beats).toEqual([0, 5000, 10_000]);
  });

  it("drops frames beyond twice the real-time rate within a second, then forwards again", () => {
    const pacer = new MediaPacer(5000);
    const forwarded = Array.from({ length: 500 }, () => pacer.frame(1000)).filter((v) => v.forward);
    expect(forwarded).toHaveLength(MAX_MEDIA_FRAMES_PER_SEC);
    expect(pacer.frame(1999).forward).toBe(false);
    expect(pacer.frame(2000).forward).toBe(true);
  });
});

/**
 * What the shell does with each inbound media frame, decided without I/O: drop it when it comes
 * faster than a media stream can (a flood), and say when the engine should be told that media
 * still flows (a heartbeat, not every frame). Time is passed in.
 */

/** Media frames arrive 50 a second; more than twice that in a second is a flood and is dropped. */
export const MAX_MEDIA_FRAMES_PER_SEC = 100;

export type FrameVerdict = { forward: boolean; heartbeat: boolean };

export class MediaPacer {
  private windowStart = Number.NEGATIVE_INFINITY;
  private frames = 0;
  private lastBeat = Number.NEGATIVE_INFINITY;

  constructor(private readonly heartbeatMs: number) {}

  frame(now: number): FrameVerdict {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.frames = 0;
    }
    this.frames += 1;
    if (this.frames > MAX_MEDIA_FRAMES_PER_SEC) return { forward: false, heartbeat: false };
    const heartbeat = now - this.lastBeat >= this.heartbeatMs;
    if (heartbeat) this.lastBeat = now;
    return { forward: true, heartbeat };
  }
}

/** What the CallSession is given at placement: everything it needs without reading D1. */
import type { PlacedCall } from "../calls/place-call";

export type CallParams = PlacedCall & {
  /** Where the carrier reaches this deployment (callbacks, media stream). */
  publicBaseUrl: string;
  /** Per-call secret the media stream must present in its start frame. */
  streamToken: string;
};

/** What the CallSession is given at placement: everything it needs without reading D1. */
import type { FieldSpec } from "../calls/schemas";

export type CallParams = {
  callId: string;
  accountId: string;
  to: string;
  from: string;
  objective: string;
  context: string | null;
  fields: FieldSpec[];
  voice: string;
  language: string;
  webhookUrl: string | null;
  /** Where the carrier reaches this deployment (callbacks, media stream). */
  publicBaseUrl: string;
  /** Per-call secret the media stream must present in its start frame. */
  streamToken: string;
};

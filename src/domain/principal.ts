import type { VoicemailSetting } from "./answering";
import type { CallingPolicy } from "./calling-hours";

/** Who is calling the API: the authenticated key and its account. */
export type Principal = {
  accountId: string;
  keyId: string;
  rateLimit: number;
  keyVoice: string | null;
  keyCallerId: string | null;
  /** The key's default `voicemail` for placements that name none. */
  keyVoicemail?: VoicemailSetting | null;
  minuteCap: number | null;
  periodAnchor: string;
  /** Dialed placements allowed to one number in any 24 hours. */
  maxCallsPerNumberPerDay: number;
  callingPolicy: CallingPolicy;
  /** Whom the agent says it calls for when the request names no one. */
  displayName: string | null;
};

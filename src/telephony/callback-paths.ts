/** Where the carrier calls this deployment back, for one call: shared by the router and the client. */
export const TELEPHONY_BASE_PATH = "/telephony/twilio";

/** Below TELEPHONY_BASE_PATH, in the OpenAPI path syntax the router's contracts use. */
export const CALLBACK_ROUTES = {
  status: "/status/{callId}",
  amd: "/amd/{callId}",
  media: "/media/{callId}",
  /** The transfer's <Dial action>: how the hand-over to a person ended. */
  dial: "/dial/{callId}",
  /** The transfer's <Number url>: the whisper to the person before the legs join. */
  whisper: "/whisper/{callId}",
} as const;

export function callbackPaths(callId: string) {
  const of = (route: string) => `${TELEPHONY_BASE_PATH}${route.replace("{callId}", callId)}`;
  return {
    status: of(CALLBACK_ROUTES.status),
    amd: of(CALLBACK_ROUTES.amd),
    media: of(CALLBACK_ROUTES.media),
    dial: of(CALLBACK_ROUTES.dial),
    whisper: of(CALLBACK_ROUTES.whisper),
  };
}

/** Where the carrier calls this deployment back, for one call: shared by the router and the client. */
const TELEPHONY_BASE_PATH = "/telephony/twilio";

const CALLBACK_ROUTES = {
  status: "/status/:callId",
  amd: "/amd/:callId",
  media: "/media/:callId",
} as const;

export function callbackPaths(callId: string) {
  const of = (route: string) => `${TELEPHONY_BASE_PATH}${route.replace(":callId", callId)}`;
  return {
    status: of(CALLBACK_ROUTES.status),
    amd: of(CALLBACK_ROUTES.amd),
    media: of(CALLBACK_ROUTES.media),
  };
}

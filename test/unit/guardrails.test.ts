import { describe, expect, it } from "vitest";
import { checkDestination, normalizeCallerId } from "../../src/domain/guardrails";

describe("checkDestination", () => {
  it.each([
    ["+14155550123", "US"],
    ["+12015550123", "US"],
    ["+18005551234", "US"], // toll-free is fine
    ["+14165550123", "CA"],
    ["+15062345678", "CA"],
    ["+442079460123", "GB"],
    ["+447400123456", "GB"],
    ["+61412345678", "AU"],
    ["+61293744000", "AU"],
    ["+64211234567", "NZ"],
    ["+6493001234", "NZ"],
    ["+972502345678", "IL"],
    ["+97221234567", "IL"],
  ])("allows %s (%s)", (to, region) => {
    expect(checkDestination(to)).toEqual({ ok: true, value: { e164: to, region } });
  });

  it.each([
    ["+18765230123", "Jamaica behind +1"],
    ["+18095551234", "Dominican Republic behind +1"],
    ["+17875551234", "Puerto Rico behind +1"],
    ["+16495551234", "Turks and Caicos behind +1 (invalid there too)"],
    ["+447911123456", "Guernsey behind +44"],
    ["+33612345678", "France"],
    ["+6590123456", "Singapore"],
    ["+19005551234", "US premium rate (900)"],
    ["+12129761234", "US 976 exchange"],
    ["+448712345678", "GB premium rate"],
    ["+448431234567", "GB shared cost"],
    ["+447012345678", "GB personal number"],
    ["+447623456789", "GB pager"],
    ["+445512345678", "GB UAN"],
    ["+611300123456", "AU shared cost"],
    ["+64900123456", "NZ premium rate"],
    ["+15005550006", "US personal number"],
    ["+881612345678", "satellite (Iridium)"],
    ["+870773111111", "satellite (Inmarsat)"],
    ["+1911", "US emergency"],
    ["+44999", "GB emergency"],
    ["+44118118", "GB directory short code"],
    ["+61000", "AU emergency"],
    ["+64111", "NZ emergency"],
    ["+972100", "IL police"],
  ])("blocks %s (%s)", (to) => {
    expect(checkDestination(to)).toEqual({ ok: false, error: "destination_blocked" });
  });

  it.each([
    "14155550123",
    "+1 415 555 0123",
    "+1-415-555-0123",
    "+0123456789",
    "+1415555",
    "+1234567890123456",
    "+",
    "tel:+14155550123",
    "+972521234567",
  ])("rejects %s as invalid_number", (to) => {
    expect(checkDestination(to)).toEqual({ ok: false, error: "invalid_number" });
  });
});

describe("normalizeCallerId", () => {
  it("accepts a valid E.164 number", () => {
    expect(normalizeCallerId("+12134932550")).toEqual({ ok: true, value: "+12134932550" });
  });
  it.each(["12134932550", "+1213", "+1 213 493 2550", ""])("rejects %j", (v) => {
    expect(normalizeCallerId(v)).toEqual({ ok: false, error: "invalid_caller_id" });
  });
});

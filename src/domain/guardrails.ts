/**
 * Destination and caller-ID guardrails. Pure: decides from the number alone, using the full
 * libphonenumber metadata (`/max`), which is the only build that can tell number types apart.
 */
import { type NumberType, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { err, ok, type Result } from "../lib/result";

/** Regions we dial. Decided by the number's region, not its calling code: +1 876 is Jamaica. */
const ALLOWED_REGIONS = new Set(["US", "CA", "GB", "AU", "NZ", "IL"]);

/** Calling codes of the allowed regions, to recognise their short and emergency codes. */
const ALLOWED_CALLING_CODES = new Set(["1", "44", "61", "64", "972"]);

/**
 * Types we refuse to dial: premium and shared-cost ranges are the usual toll-fraud (IRSF)
 * targets, personal/pager/UAN numbers forward to who-knows-where, and an unknown type means
 * the metadata cannot vouch for the number at all.
 */
const BLOCKED_TYPES = new Set<NumberType | undefined>([
  "PREMIUM_RATE",
  "SHARED_COST",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  undefined,
]);

/** E.164: a plus, a non-zero digit, at most 15 digits in all. */
const E164 = /^\+[1-9]\d{1,14}$/;

/** Digits after an allowed calling code up to which a number is a short or emergency code. */
const MAX_SHORT_CODE_DIGITS = 6;

export type DestinationError = "invalid_number" | "destination_blocked";

export type Destination = { e164: string; region: string };

function isE164(value: string): boolean {
  return E164.test(value);
}

export function checkDestination(to: string): Result<Destination, DestinationError> {
  if (!isE164(to)) return err("invalid_number");
  const phone = parsePhoneNumberFromString(to);
  if (!phone?.isValid()) {
    if (looksLikeShortCode(to)) return err("destination_blocked");
    if (phone?.country && !ALLOWED_REGIONS.has(phone.country)) return err("destination_blocked");
    return err("invalid_number");
  }
  // Satellite (+881, +870) and other non-geographic codes have no region.
  if (!phone.country || !ALLOWED_REGIONS.has(phone.country)) return err("destination_blocked");
  if (BLOCKED_TYPES.has(phone.getType())) return err("destination_blocked");
  if (isNanpPremiumExchange(phone.countryCallingCode, phone.nationalNumber)) {
    return err("destination_blocked");
  }
  return ok({ e164: phone.number, region: phone.country });
}

/**
 * Emergency and service short codes dialled with an allowed calling code: +1 911, +44 999,
 * +44 118118, +61 000, +64 111, +972 100. NANP service codes are three digits (N11); elsewhere
 * short codes run up to six. Longer fragments are merely invalid numbers.
 */
function looksLikeShortCode(e164: string): boolean {
  const digits = e164.slice(1);
  for (const code of ALLOWED_CALLING_CODES) {
    if (!digits.startsWith(code)) continue;
    const rest = digits.slice(code.length);
    const max = code === "1" ? 3 : MAX_SHORT_CODE_DIGITS;
    if (rest.length > 0 && rest.length <= max) return true;
  }
  return false;
}

/**
 * NANP 976-exchange numbers (NPA-976-XXXX) are pay-per-call lines that the metadata lists as
 * ordinary fixed-line or mobile numbers, so they are caught by their exchange.
 */
function isNanpPremiumExchange(callingCode: string, national: string): boolean {
  return callingCode === "1" && national.length === 10 && national.slice(3, 6) === "976";
}

/** A caller ID must be a valid E.164 number; ownership is checked against the account. */
export function normalizeCallerId(value: string): Result<string, "invalid_caller_id"> {
  if (!isE164(value)) return err("invalid_caller_id");
  const phone = parsePhoneNumberFromString(value);
  if (!phone?.isValid()) return err("invalid_caller_id");
  return ok(phone.number);
}

/**
 * Through the phone tree (issue 15): pressing keys at a menu, waiting on hold, and the keys the
 * far end sends. Pure rules the engine applies when the model calls `press_digits` or
 * `wait_on_hold`, when the agent speaks, and on its alarm.
 *
 * - A menu that loops: the agent presses the same keys again when a menu repeats. Pressing the
 *   same keys a third time with nothing said by the agent in between (it speaks only to people)
 *   means the menu looped three times without progress: the call ends `failed` / `ivr_stuck`.
 * - Hold: from `wait_on_hold` until the agent next speaks (it does so once a person is on the
 *   line). Time on hold adds up in `holdMs`; a hold longer than the call's `maxHoldSec`, or one
 *   still running when the call's length runs out, ends the call `failed` / `hold_timeout`.
 */
import type { ToolCall, ToolDeclaration } from "./tool";

export const PRESS_DIGITS_TOOL = {
  name: "press_digits",
  description:
    "Press keys on the phone keypad (DTMF), e.g. to choose a menu option. Listen to the whole menu first. digits: 0-9, * and #; w waits half a second.",
  parameters: {
    properties: {
      digits: { type: "string", description: "The keys to press in order, e.g. 2 or 1w4#." },
    },
    required: ["digits"],
  },
} as const satisfies ToolDeclaration;

export const WAIT_ON_HOLD_TOOL = {
  name: "wait_on_hold",
  description:
    "Call this when you are put on hold (hold music, or 'please hold'). Then stay silent until a person speaks to you.",
  parameters: { properties: {}, required: [] },
} as const satisfies ToolDeclaration;

/** `w` in a press is a half-second pause (audio/dtmf.ts plays it). */
const PAUSE_KEY = "w";

/** Whether a string is a sequence the agent may press: keys 0-9 * # and pauses, at least one key. */
export function validDigits(digits: string): boolean {
  return /^[0-9*#w]+$/.test(digits) && /[0-9*#]/.test(digits);
}

/** Longest sequence of keys in one press. */
export const MAX_DIGITS = 32;
/** Times the same keys may be pressed in a row without progress (the menu played that often). */
export const MENU_LOOP_LIMIT = 3;
export const DEFAULT_MAX_HOLD_SEC = 900;

export type PhoneTreeState = {
  /** The keys last pressed, and how often in a row with the agent silent in between. */
  lastDigits: string | null;
  repeats: number;
  /** On hold since (epoch ms), or null. */
  holdSince: number | null;
  /** Time on hold before the current hold. */
  holdMs: number;
};

export const NO_PHONE_TREE: PhoneTreeState = {
  lastDigits: null,
  repeats: 0,
  holdSince: null,
  holdMs: 0,
};

export type PressOutcome =
  | { type: "invalid" }
  | { type: "press"; digits: string; state: PhoneTreeState }
  | { type: "stuck"; state: PhoneTreeState };

export function pressDigits(state: PhoneTreeState, call: ToolCall): PressOutcome {
  const raw = call.args.digits;
  const digits = typeof raw === "string" ? raw.replace(/\s+/g, "") : undefined;
  if (!digits || digits.length > MAX_DIGITS || !validDigits(digits)) return { type: "invalid" };
  const repeats = digits === state.lastDigits ? state.repeats + 1 : 1;
  const next = { ...state, lastDigits: digits, repeats };
  if (repeats >= MENU_LOOP_LIMIT) return { type: "stuck", state: next };
  return { type: "press", digits, state: next };
}

/** The transcript text of a press: the keys, without the pauses. */
export function pressedText(digits: string): string {
  return `[pressed ${digits.replaceAll(PAUSE_KEY, "")}]`;
}

/** The transcript text of a key the far end pressed. */
export function recipientKeyText(digit: string): string {
  return `[pressed ${digit}]`;
}

/** A key the far end sends, as the carrier reports it: one of 0-9 * # (A-D are not on phones). */
export function validRecipientKey(digit: string): boolean {
  return /^[0-9*#]$/.test(digit);
}

export function startHold(state: PhoneTreeState, now: number): PhoneTreeState {
  return state.holdSince === null ? { ...state, holdSince: now } : state;
}

/** The agent spoke (at `at`): a person is on the line, so the hold and the menu loop are over. */
export function agentSpoke(state: PhoneTreeState, at: number): PhoneTreeState {
  const held = state.holdSince === null ? 0 : Math.max(0, at - state.holdSince);
  return { lastDigits: null, repeats: 0, holdSince: null, holdMs: state.holdMs + held };
}

/** When the current hold runs out: its own bound, or the call's end, whichever comes first. */
export function holdDeadline(
  state: PhoneTreeState,
  maxHoldSec: number,
  callEndsAt: number | null,
): number | null {
  if (state.holdSince === null) return null;
  const own = state.holdSince + maxHoldSec * 1000;
  return callEndsAt === null ? own : Math.min(own, callEndsAt);
}

/** Whole seconds on hold, the current hold counted up to `until`. */
export function holdSecOf(state: PhoneTreeState, until: number): number {
  const current = state.holdSince === null ? 0 : Math.max(0, until - state.holdSince);
  return Math.round((state.holdMs + current) / 1000);
}

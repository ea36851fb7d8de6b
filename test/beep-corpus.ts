/**
 * A generated corpus for the beep detector (src/audio/beep-detector.ts), shared by its unit test
 * and `npm run bench:beep`: beeps at several frequencies and levels after a greeting, and audio
 * that must never read as a beep (coded speech, noise, speech over noise, fax tones with no
 * greeting, dual tones). Everything goes through μ-law as it does on the phone line.
 */
import { decodeMulaw, encodeMulaw } from "../src/audio/mulaw";
import { speechFor } from "../src/simulator/speech-code";
import { cngCycle, tone } from "../src/simulator/tones";
import { mulberry32 } from "./prng";

export type Sample = { name: string; pcm: Int16Array; beepAtSample: number | null };

const RATE = 8000;
const ms = (n: number) => Math.round((RATE * n) / 1000);

function join(...parts: Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function line(pcm: Int16Array): Int16Array {
  return decodeMulaw(encodeMulaw(pcm));
}

function noise(n: number, rms: number, rand: () => number): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((rand() * 2 - 1) * rms * Math.sqrt(3));
  return out;
}

function mix(a: Int16Array, b: Int16Array): Int16Array {
  const out = new Int16Array(a.length);
  for (let i = 0; i < a.length; i++)
    out[i] = Math.max(-32768, Math.min(32767, (a[i] as number) + (b[i] ?? 0)));
  return out;
}

export const BEEP_FREQUENCIES = [400, 600, 850, 1000, 1400, 2000];
/** Fractions of full scale: about -10, -20 and -30 dBFS. */
export const BEEP_LEVELS = [0.3, 0.1, 0.03];

/** A greeting (coded speech), a short pause, then a beep of 300 ms: the beep must be found. */
export function beepSamples(): Sample[] {
  const out: Sample[] = [];
  let code = 0;
  for (const hz of BEEP_FREQUENCIES)
    for (const level of BEEP_LEVELS) {
      const greeting = speechFor(code++ % 200, 8);
      const lead = join(greeting, new Int16Array(ms(150)));
      out.push({
        name: `${hz} Hz at ${level}`,
        pcm: line(join(lead, tone(hz, 300, level), new Int16Array(ms(500)))),
        beepAtSample: lead.length,
      });
    }
  return out;
}

/** Audio with no beep in it, `count` pieces of each kind. */
export function noBeepSamples(count = 40, seed = 14): Sample[] {
  const rand = mulberry32(seed);
  const out: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const code = Math.floor(rand() * 256);
    const speech = join(speechFor(code, 4 + Math.floor(rand() * 12)), new Int16Array(ms(300)));
    out.push({ name: `speech ${code}`, pcm: line(speech), beepAtSample: null });
    out.push({
      name: `speech ${code} over noise`,
      pcm: line(mix(speech, noise(speech.length, 300, rand))),
      beepAtSample: null,
    });
    out.push({ name: "noise", pcm: line(noise(ms(2000), 2000, rand)), beepAtSample: null });
  }
  out.push({ name: "fax CNG", pcm: line(join(cngCycle(), cngCycle())), beepAtSample: null });
  const dual = new Int16Array(ms(400));
  const a = tone(770, 400, 0.15);
  const b = tone(1336, 400, 0.15);
  for (let i = 0; i < dual.length; i++) dual[i] = (a[i] as number) + (b[i] as number);
  out.push({
    name: "speech then a DTMF dual tone",
    pcm: line(join(speechFor(5, 8), dual)),
    beepAtSample: null,
  });
  return out;
}

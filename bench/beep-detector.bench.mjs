/**
 * The beep detector on a generated corpus (test/beep-corpus.ts, the unit test's, larger): how
 * long after a beep starts it is sure (detection delay), over frequencies 400–2,000 Hz and levels
 * -10 to -30 dBFS, and how often it hears a beep where there is none (coded speech, speech over
 * noise, noise, fax tones, DTMF), per hour of such audio. Everything through μ-law, 20 ms frames.
 *
 * `npm run bench:beep` — BENCH_PIECES (300) pieces of each no-beep kind.
 */
import { BeepDetector } from "../src/audio/beep-detector.ts";
import { beepSamples, noBeepSamples } from "../test/beep-corpus.ts";
import * as harness from "./lib/harness.mjs";

const PIECES = harness.envInt("BENCH_PIECES", 300);

function detect(pcm) {
  const detector = new BeepDetector();
  const beeps = [];
  for (let i = 0; i < pcm.length; i += 160) beeps.push(...detector.push(pcm.subarray(i, i + 160)));
  return beeps;
}

const delays = [];
let missed = 0;
for (const s of beepSamples()) {
  const [beep] = detect(s.pcm);
  if (!beep) missed += 1;
  else delays.push((beep.detectedSample - s.beepAtSample) / 8);
}
let audioMs = 0;
let falseBeeps = 0;
const negatives = noBeepSamples(PIECES, 2026);
const started = performance.now();
for (const s of negatives) {
  audioMs += s.pcm.length / 8;
  falseBeeps += detect(s.pcm).length;
}
const cpuMs = performance.now() - started;
delays.sort((a, b) => a - b);
const m = harness.machine();
console.log(`${m.nproc} CPUs (${m.cpu}), Node ${m.node}; code ${harness.codeVersion()}`);
console.log(
  `beeps: ${delays.length} found, ${missed} missed; delay p50 ${harness.quantile(delays, 0.5)} ms, max ${delays.at(-1)} ms`,
);
console.log(
  `no-beep audio: ${negatives.length} pieces, ${(audioMs / 60_000).toFixed(1)} min; false beeps ${falseBeeps} (${((falseBeeps * 3_600_000) / audioMs).toFixed(2)} per hour)`,
);
console.log(`CPU: ${((cpuMs * 1000) / (audioMs / 20)).toFixed(2)} µs per 20 ms frame`);

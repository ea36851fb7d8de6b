/**
 * Hold music for the simulated phone: a melody of plucked tones (not speech: its notes are far
 * above the coded speech's pitches, so the simulated model hears "sound", not a line). Pure.
 */

/** A phrase of notes (Hz), each NOTE_MS long, decaying like a plucked string. */
const PHRASE = [392, 440, 494, 523, 494, 440, 392, 330] as const;
const NOTE_MS = 200;
const AMPLITUDE = 6000;

/** One phrase of the melody at `rate` Hz (1.6 s). */
export function holdMusicPhrase(rate = 8000): Int16Array {
  const noteN = Math.round((rate * NOTE_MS) / 1000);
  const out = new Int16Array(PHRASE.length * noteN);
  PHRASE.forEach((hz, n) => {
    for (let i = 0; i < noteN; i++) {
      const t = i / rate;
      // Decays to a third over the note; never silent within the phrase.
      const envelope = Math.exp((-1.1 * i) / noteN) * Math.min(1, i / (rate * 0.005));
      const v = Math.sin(2 * Math.PI * hz * t) + 0.3 * Math.sin(4 * Math.PI * hz * t);
      out[n * noteN + i] = Math.round(AMPLITUDE * envelope * v);
    }
  });
  return out;
}

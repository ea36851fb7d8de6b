/**
 * How the simulated agent picks a phone menu option: the option ("for reservations press 1")
 * whose words share the most stems with the objective; none when no option's words appear in it.
 * Pure.
 */

const KEY_WORDS: Record<string, string> = { star: "*", pound: "#", hash: "#" };

export type MenuOption = { words: string; key: string };

/** The options a menu's text offers, in order ("for X press N" / "to X press N"). */
export function menuOptions(menu: string): MenuOption[] {
  const out: MenuOption[] = [];
  for (const m of menu.matchAll(/\b(?:for|to) ([^,.;]+?),? press (\w+)/gi)) {
    const word = (m[2] ?? "").toLowerCase();
    const key = /^[0-9]$/.test(word) ? word : KEY_WORDS[word];
    if (key) out.push({ words: m[1] ?? "", key });
  }
  return out;
}

/** The first letters of a word: "reservation" and "reservations" share theirs. */
const stem = (word: string) => word.toLowerCase().slice(0, 6);
const contentWords = (text: string) => (text.match(/[a-z]{4,}/gi) ?? []).map(stem);

export function chooseOption(menu: string, objective: string): string | undefined {
  const wanted = new Set(contentWords(objective));
  let best: { key: string; score: number } | undefined;
  for (const option of menuOptions(menu)) {
    const score = contentWords(option.words).filter((w) => wanted.has(w)).length;
    if (score > 0 && (!best || score > best.score)) best = { key: option.key, score };
  }
  return best?.key;
}

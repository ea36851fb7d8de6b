/** Vite's `?raw` suffix: the file's content as a string (tests read the README this way). */
declare module "*?raw" {
  const content: string;
  // biome-ignore lint/style/noDefaultExport: a ?raw import's string is its default export
  export default content;
}

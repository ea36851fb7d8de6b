/** Files wrangler.toml's `[[rules]]` import as Text modules: their content as a string. */
declare module "*/@scalar/api-reference/dist/browser/standalone.js" {
  const source: string;
  // biome-ignore lint/style/noDefaultExport: a Text module's string is its default export
  export default source;
}

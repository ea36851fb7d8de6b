// Types `ctx.exports` (the Worker's loopback bindings) from the main module's exports.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("./index");
  }
}

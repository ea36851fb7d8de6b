// A V8 CPU profile of the Worker inside `wrangler dev`, taken through wrangler's inspector (Chrome
// DevTools protocol), summarised as the share of samples per function: `self` (time in the
// function itself, native calls it makes included, e.g. a Durable Object stub call or a storage
// put) and `inclusive` (with everything it called). Used by `BENCH_PROFILE=1 npm run bench`.
import WebSocket from "ws";

/** Starts profiling now; the returned `stop()` ends it and resolves with the summary. */
export async function startProfile(inspectorPort, { top = 15, samplingIntervalUs = 200 } = {}) {
  const targets = await (await fetch(`http://127.0.0.1:${inspectorPort}/json`)).json();
  const target = targets[0];
  if (!target?.webSocketDebuggerUrl) throw new Error("the inspector lists no Worker to profile");
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 0;
  const pending = new Map();
  ws.on("message", (data) => {
    const msg = JSON.parse(data.toString());
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call("Profiler.enable");
  await call("Profiler.setSamplingInterval", { interval: samplingIntervalUs });
  await call("Profiler.start");
  return {
    async stop() {
      const { result } = await call("Profiler.stop");
      ws.close();
      return summarise(result.profile, top);
    },
  };
}

function summarise(profile, top) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const name = (n) => {
    const f = n.callFrame;
    const file = f.url ? f.url.split("/").at(-1) : "";
    return `${f.functionName || "(anonymous)"}${file ? ` ${file}:${f.lineNumber + 1}` : ""}`;
  };
  const samplesPerNode = new Map();
  for (const id of profile.samples) samplesPerNode.set(id, (samplesPerNode.get(id) ?? 0) + 1);
  const self = new Map();
  const inclusive = new Map();
  for (const [id, count] of samplesPerNode) {
    const leaf = name(nodes.get(id));
    self.set(leaf, (self.get(leaf) ?? 0) + count);
    // Each function once per sample, however deep it recurses.
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const fn = name(nodes.get(at));
      if (seen.has(fn)) continue;
      seen.add(fn);
      inclusive.set(fn, (inclusive.get(fn) ?? 0) + count);
    }
  }
  const total = profile.samples.length;
  const ranked = (m) =>
    [...m]
      .filter(([fn]) => fn !== "(root)")
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, n]) => ({ fn, percent: Math.round((1000 * n) / total) / 10 }));
  return { samples: total, self: ranked(self), inclusive: ranked(inclusive) };
}

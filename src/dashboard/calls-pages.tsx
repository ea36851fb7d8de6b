/** The calls list, one call, and the test-call form. */
import type { CallSummaryView, CallView } from "../domain/call-schemas";
import { CALL_STATUSES, TERMINAL_STATUSES } from "../domain/call-status";
import { Csrf, Page, StackTable, StatusBadge, When } from "./layout";

type User = { email: string; csrf: string };

export function CallsPage(p: {
  user: User;
  calls: CallSummaryView[];
  status: string | undefined;
  nextCursor: string | null;
  notice?: string | undefined;
}) {
  const live = p.calls.some((c) => !TERMINAL_STATUSES.has(c.status));
  const next = new URLSearchParams();
  if (p.status) next.set("status", p.status);
  if (p.nextCursor) next.set("cursor", p.nextCursor);
  return (
    <Page title="Calls" user={{ ...p.user, nav: "calls" }} notice={p.notice}>
      <form method="get" action="/dashboard/calls" class="row card">
        <div>
          <label for="status">Status</label>
          <select id="status" name="status">
            <option value="">All statuses</option>
            {CALL_STATUSES.map((s) => (
              <option value={s} selected={p.status === s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
        <div class="shrink">
          <button type="submit">Filter</button>
        </div>
      </form>
      <section class="card" id="calls" data-live={live ? "" : undefined} aria-live="polite">
        {p.calls.length === 0 ? (
          <p>
            No calls yet. <a href="/dashboard/calls/new">Place a test call</a> to try the simulator.
          </p>
        ) : (
          <StackTable
            columns={["Created", "To", "Status", "Objective", "Duration"]}
            caption="Newest first"
          >
            {p.calls.map((c) => (
              <tr>
                <td data-label="Created">
                  <a href={`/dashboard/calls/${c.id}`}>
                    <When at={c.createdAt} />
                  </a>
                </td>
                <td data-label="To">{c.to}</td>
                <td data-label="Status">
                  <StatusBadge status={c.status} />
                </td>
                <td data-label="Objective">
                  {c.objective.length > 90 ? `${c.objective.slice(0, 90)}…` : c.objective}
                </td>
                <td data-label="Duration">{c.durationSec === null ? "—" : `${c.durationSec} s`}</td>
              </tr>
            ))}
          </StackTable>
        )}
        <nav class="pager" aria-label="Pages">
          {p.nextCursor && <a href={`/dashboard/calls?${next.toString()}`}>Next page</a>}
        </nav>
      </section>
    </Page>
  );
}

export type TranscriptEntry = { offsetMs: number; speaker: string; text: string };

/** `[mm:ss.t] speaker: text` lines, as the call's transcript field holds them. */
export function parseTranscript(transcript: string | null): TranscriptEntry[] {
  if (!transcript) return [];
  return transcript.split("\n").map((line) => {
    const m = /^\[(\d+):(\d{2})\.(\d)\] ([a-z_]+): ?(.*)$/.exec(line);
    if (!m) return { offsetMs: 0, speaker: "", text: line };
    const [, mm, ss, t, speaker, text] = m as unknown as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      offsetMs: Number(mm) * 60_000 + Number(ss) * 1000 + Number(t) * 100,
      speaker,
      text,
    };
  });
}

export type EventLogView = {
  events: {
    id: string;
    type: string;
    createdAt: string;
    status: string;
    deliveredAt: string | null;
    attempts: {
      attempt: number;
      at: string;
      statusCode: number | null;
      latencyMs: number;
      error: string | null;
    }[];
  }[];
};

/** Fields of the record shown in their own sections; any other is listed under "More". */
const SHOWN = new Set([
  "id",
  "status",
  "to",
  "objective",
  "voice",
  "language",
  "languageSource",
  "summary",
  "transcript",
  "extracted",
  "recordingUrl",
  "createdAt",
  "startedAt",
  "endedAt",
  "durationSec",
  "error",
  "extractedEvidence",
  "recordingTruncated",
  "analysisError",
  "responseLatency",
]);

function label(key: string): string {
  return key.replace(/([A-Z])/g, " $1").replace(/^./, (ch) => ch.toUpperCase());
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function CallPage(p: {
  user: User;
  call: CallView;
  log: EventLogView;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const { call } = p;
  const terminal = TERMINAL_STATUSES.has(call.status);
  const lines = parseTranscript(call.transcript);
  const evidence = (call.extractedEvidence ?? {}) as Record<string, { line: number } | null>;
  const extracted = (call.extracted ?? {}) as Record<string, unknown>;
  const more = Object.entries(call as Record<string, unknown>).filter(
    ([k, v]) => !SHOWN.has(k) && v !== null && v !== undefined && typeof v !== "object",
  );
  const latency = call.responseLatency;
  return (
    <Page title={`Call to ${call.to}`} user={p.user} notice={p.notice} error={p.error}>
      <div id="call" data-live={terminal ? undefined : ""} aria-live="polite">
        <section class="card">
          <h2>Overview</h2>
          <dl class="facts">
            <dt>Status</dt>
            <dd>
              <StatusBadge status={call.status} />
              {call.error && <span> ({call.error})</span>}
            </dd>
            <dt>Objective</dt>
            <dd>{call.objective}</dd>
            <dt>Voice</dt>
            <dd>{`${call.voice} · ${call.language} (${call.languageSource})`}</dd>
            <dt>Duration</dt>
            <dd>{call.durationSec === null ? "—" : `${call.durationSec} s`}</dd>
            {more.map(([k, v]) => (
              <>
                <dt>{label(k)}</dt>
                <dd>{show(v)}</dd>
              </>
            ))}
            <dt>Call id</dt>
            <dd>
              <code>{call.id}</code>
            </dd>
          </dl>
          {!terminal && (
            <form
              method="post"
              action={`/dashboard/calls/${call.id}/cancel`}
              data-confirm="Cancel this call?"
            >
              <Csrf token={p.user.csrf} />
              <p>
                <button type="submit" class="danger">
                  Cancel call
                </button>
              </p>
            </form>
          )}
        </section>
        <section class="card">
          <h2>Timeline</h2>
          <ol class="timeline">
            <li>
              queued · <When at={call.createdAt} />
            </li>
            {p.log.events.map((e) => (
              <li>
                {e.type.replace("call.", "").replace("_", " ")} · <When at={e.createdAt} />
              </li>
            ))}
          </ol>
        </section>
        {terminal && (
          <section class="card">
            <h2>Summary</h2>
            <p>{call.summary ?? "No summary."}</p>
            {call.analysisError && <p class="error">Analysis error: {call.analysisError}</p>}
          </section>
        )}
        {call.recordingUrl && (
          <section class="card">
            <h2 id="recording-h">Recording</h2>
            {/* biome-ignore lint/a11y/useMediaCaption: the transcript below is the recording's text */}
            <audio
              controls
              preload="metadata"
              src={`/dashboard/calls/${call.id}/recording`}
              aria-labelledby="recording-h"
            />
            {call.recordingTruncated && (
              <p class="hint">The service restarted mid-call: the recording is incomplete.</p>
            )}
          </section>
        )}
        <section class="card">
          <h2>Transcript</h2>
          {lines.length === 0 ? (
            <p class="hint">No transcript yet.</p>
          ) : (
            <>
              <p class="hint">Select a line to play the recording from there.</p>
              <ol class="transcript">
                {lines.map((l, i) => (
                  <li id={`line-${i}`}>
                    <button type="button" data-offset={String(l.offsetMs)}>
                      <span class="offset">{formatMs(l.offsetMs)}</span>
                      <span class="speaker">{l.speaker}:</span> {l.text}
                    </button>
                  </li>
                ))}
              </ol>
            </>
          )}
        </section>
        {Object.keys(extracted).length > 0 && (
          <section class="card">
            <h2>Extracted fields</h2>
            <StackTable columns={["Field", "Value", "Evidence"]}>
              {Object.entries(extracted).map(([name, value]) => {
                const ev = evidence[name];
                return (
                  <tr>
                    <td data-label="Field">
                      <code>{name}</code>
                    </td>
                    <td data-label="Value">{show(value)}</td>
                    <td data-label="Evidence">
                      {ev ? (
                        <a href={`#line-${ev.line}`} data-evidence={String(ev.line)}>
                          {`Line ${ev.line + 1}`}
                        </a>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                );
              })}
            </StackTable>
          </section>
        )}
        {latency && (
          <section class="card">
            <h2>Response latency</h2>
            <dl class="facts">
              <dt>Turns</dt>
              <dd>{latency.turns}</dd>
              <dt>Median</dt>
              <dd>{`${latency.p50Ms} ms`}</dd>
              <dt>95th percentile</dt>
              <dd>{`${latency.p95Ms} ms`}</dd>
              <dt>First reply</dt>
              <dd>{latency.firstReplyMs === null ? "—" : `${latency.firstReplyMs} ms`}</dd>
            </dl>
          </section>
        )}
        <section class="card">
          <h2>Webhook deliveries</h2>
          {p.log.events.length === 0 ? (
            <p class="hint">No events yet.</p>
          ) : (
            <StackTable columns={["Event", "Status", "Attempts"]} action="Action">
              {p.log.events.map((e) => (
                <tr>
                  <td data-label="Event">
                    <code>{e.type}</code>
                  </td>
                  <td data-label="Status">{e.status.replace("_", " ")}</td>
                  <td data-label="Attempts">
                    {e.attempts.length === 0 ? (
                      "—"
                    ) : (
                      <ul class="attempts">
                        {e.attempts.map((a) => (
                          <li>
                            {`#${a.attempt} · ${a.statusCode ?? a.error ?? "no answer"} · `}
                            <When at={a.at} />
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td data-label="Action">
                    {e.status !== "no_endpoint" && (
                      <form
                        method="post"
                        action={`/dashboard/calls/${call.id}/events/${e.id}/redeliver`}
                      >
                        <Csrf token={p.user.csrf} />
                        <button type="submit" class="secondary" aria-label={`Redeliver ${e.type}`}>
                          Redeliver
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </StackTable>
          )}
        </section>
      </div>
      <p>
        <a href="/dashboard/calls">Back to calls</a>
      </p>
    </Page>
  );
}

function formatMs(ms: number): string {
  const s = Math.floor(ms / 100) / 10;
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, "0")}:${(s - m * 60).toFixed(1).padStart(4, "0")}`;
}

export type NewCallForm = {
  to: string;
  objective: string;
  context: string;
  fields: string;
  webhookUrl: string;
};

export function NewCallPage(p: { user: User; form: NewCallForm; error?: string | undefined }) {
  const f = p.form;
  return (
    <Page title="Place a test call" user={{ ...p.user, nav: "new-call" }} error={p.error}>
      <section class="card">
        <p class="hint">
          Locally the call goes to the built-in simulated carrier and voice model: any allowed
          number answers and talks briefly (+14155550100 does not answer, +14155550102 is busy).
        </p>
        <form method="post" action="/dashboard/calls/new">
          <Csrf token={p.user.csrf} />
          <label for="to">To</label>
          <input id="to" name="to" type="tel" required value={f.to} aria-describedby="to-hint" />
          <p class="hint" id="to-hint">
            International format, e.g. +14155550123.
          </p>
          <label for="objective">Objective</label>
          <textarea id="objective" name="objective" required maxlength={4000}>
            {f.objective}
          </textarea>
          <label for="context">Context (optional)</label>
          <textarea id="context" name="context" maxlength={10000}>
            {f.context}
          </textarea>
          <label for="fields">Fields to extract (optional)</label>
          <textarea id="fields" name="fields" aria-describedby="fields-hint">
            {f.fields}
          </textarea>
          <p class="hint" id="fields-hint">
            One per line: <code>name</code> or <code>name:type</code> (string, boolean, number),
            optionally <code>name:type:description</code>.
          </p>
          <label for="webhookUrl">Webhook URL (optional)</label>
          <input id="webhookUrl" name="webhookUrl" type="url" value={f.webhookUrl} />
          <p>
            <button type="submit">Place call</button>
          </p>
        </form>
      </section>
    </Page>
  );
}

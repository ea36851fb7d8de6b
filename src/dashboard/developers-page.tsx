/** Developers: API keys, numbers, the webhook signing secret, usage, calling policy, do-not-call. */
import { CALLING_POLICIES } from "../domain/calling-hours";
import type { DncEntry } from "../domain/do-not-call";
import { Csrf, Page, StackTable, When } from "./layout";

export type DeveloperData = {
  minuteCap: number | null;
  minutesUsedThisPeriod: number;
  periodStart: string;
  webhookSecret: string;
  previousWebhookSecretExpiresAt: string | null;
  callingPolicy: string;
  numbers: { number: string; default: boolean }[];
  keys: {
    id: string;
    prefix: string;
    name: string | null;
    voice: string | null;
    callerId: string | null;
    rateLimit: number;
    createdAt: string;
    revokedAt: string | null;
    lastUsedAt: string | null;
  }[];
};

export function DevelopersPage(p: {
  user: { email: string; csrf: string };
  data: DeveloperData;
  voices: readonly string[];
  defaultRateLimit: number;
  dnc: { entries: DncEntry[]; nextCursor: string | null };
  newKey?: { key: string; name: string | null } | undefined;
  notice?: string | undefined;
  error?: string | undefined;
}) {
  const { data, user } = p;
  const used = data.minutesUsedThisPeriod;
  const cap = data.minuteCap;
  const share = cap ? Math.min(100, Math.round((used / cap) * 100)) : 0;
  const keyNumbers = new Set(data.keys.filter((k) => !k.revokedAt).map((k) => k.callerId));
  return (
    <Page
      title="Developers"
      user={{ ...user, nav: "developers" }}
      notice={p.notice}
      error={p.error}
    >
      {p.newKey && (
        <section class="card" aria-labelledby="new-key-h">
          <h2 id="new-key-h">Your new API key</h2>
          <p>Copy it now: it is shown only once.</p>
          <p>
            <code class="secret" id="new-key">
              {p.newKey.key}
            </code>{" "}
            <button type="button" class="secondary" data-copy="new-key">
              Copy
            </button>
          </p>
        </section>
      )}

      <section class="card" aria-labelledby="usage-h">
        <h2 id="usage-h">Usage this billing period</h2>
        <p>
          {cap === null
            ? `${used} minutes used (no cap).`
            : `${used} of ${cap} minutes used (${share}%).`}{" "}
          <span class="hint">
            Period started <When at={data.periodStart} />.
          </span>
        </p>
        {cap !== null && (
          <div
            class="usage"
            role="progressbar"
            aria-label="Minutes used"
            aria-valuemin={0}
            aria-valuemax={cap}
            aria-valuenow={used}
          >
            <span style={`width: ${share}%`} />
          </div>
        )}
      </section>

      <section class="card" aria-labelledby="keys-h">
        <h2 id="keys-h">API keys</h2>
        {data.keys.length === 0 ? (
          <p class="hint">No keys yet.</p>
        ) : (
          <StackTable
            columns={["Key", "Name", "Voice", "Caller ID", "Rate limit", "Last used"]}
            action="Action"
          >
            {data.keys.map((k) => (
              <tr>
                <td data-label="Key">
                  <code>{`${k.prefix}…`}</code>
                </td>
                <td data-label="Name">{k.name ?? "—"}</td>
                <td data-label="Voice">{k.voice ?? "platform default"}</td>
                <td data-label="Caller ID">{k.callerId ?? "account default"}</td>
                <td data-label="Rate limit">{`${k.rateLimit}/min`}</td>
                <td data-label="Last used">
                  <When at={k.lastUsedAt} />
                </td>
                <td data-label="Action">
                  {k.revokedAt ? (
                    <span>
                      Revoked <When at={k.revokedAt} />
                    </span>
                  ) : (
                    <form
                      method="post"
                      action={`/dashboard/developers/keys/${k.id}/revoke`}
                      data-confirm={`Revoke the key ${k.prefix}…? Requests with it will be refused.`}
                    >
                      <Csrf token={user.csrf} />
                      <button
                        type="submit"
                        class="danger"
                        aria-label={`Revoke key ${k.name ?? k.prefix}`}
                      >
                        Revoke
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </StackTable>
        )}
        <h3>Create a key</h3>
        <form method="post" action="/dashboard/developers/keys">
          <Csrf token={user.csrf} />
          <div class="row">
            <div>
              <label for="key-name">Name</label>
              <input id="key-name" name="name" maxlength={100} />
            </div>
            <div>
              <label for="key-voice">Default voice</label>
              <select id="key-voice" name="voice">
                <option value="">Platform default</option>
                {p.voices.map((v) => (
                  <option value={v}>{v}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="key-caller">Default caller ID</label>
              <select id="key-caller" name="callerId">
                <option value="">Account default</option>
                {data.numbers.map((n) => (
                  <option value={n.number}>{n.number}</option>
                ))}
              </select>
            </div>
            <div>
              <label for="key-rate">Rate limit (calls per minute)</label>
              <input
                id="key-rate"
                name="rateLimit"
                type="number"
                min={1}
                max={10000}
                value={String(p.defaultRateLimit)}
              />
            </div>
          </div>
          <p>
            <button type="submit">Create key</button>
          </p>
        </form>
      </section>

      <section class="card" aria-labelledby="numbers-h">
        <h2 id="numbers-h">Numbers</h2>
        <p class="hint">
          Caller IDs the account may call from. The default is used when a key and a request name
          none.
        </p>
        {data.numbers.length === 0 ? (
          <p class="hint">No numbers yet.</p>
        ) : (
          <StackTable columns={["Number", "Default"]} action="Actions">
            {data.numbers.map((n) => (
              <tr>
                <td data-label="Number">{n.number}</td>
                <td data-label="Default">{n.default ? "Default" : "—"}</td>
                <td data-label="Actions">
                  {!n.default && (
                    <form
                      method="post"
                      action="/dashboard/developers/numbers/default"
                      class="inline"
                    >
                      <Csrf token={user.csrf} />
                      <input type="hidden" name="number" value={n.number} />
                      <button
                        type="submit"
                        class="secondary"
                        aria-label={`Make ${n.number} the default`}
                      >
                        Make default
                      </button>
                    </form>
                  )}{" "}
                  {keyNumbers.has(n.number) ? (
                    <span class="hint">Used by a key</span>
                  ) : (
                    <form
                      method="post"
                      action="/dashboard/developers/numbers/remove"
                      class="inline"
                      data-confirm={`Remove ${n.number}?`}
                    >
                      <Csrf token={user.csrf} />
                      <input type="hidden" name="number" value={n.number} />
                      <button type="submit" class="danger" aria-label={`Remove ${n.number}`}>
                        Remove
                      </button>
                    </form>
                  )}
                </td>
              </tr>
            ))}
          </StackTable>
        )}
        <form method="post" action="/dashboard/developers/numbers" class="row">
          <Csrf token={user.csrf} />
          <div>
            <label for="number">Add a number</label>
            <input id="number" name="number" type="tel" required placeholder="+12025550143" />
          </div>
          <div class="shrink">
            <label>
              <input type="checkbox" name="default" value="1" /> Make it the default
            </label>
          </div>
          <div class="shrink">
            <button type="submit">Add number</button>
          </div>
        </form>
      </section>

      <section class="card" aria-labelledby="secret-h">
        <h2 id="secret-h">Webhook signing secret</h2>
        <p class="hint">
          Verifies the webhook-signature header of our webhook requests (Standard Webhooks).
        </p>
        <details>
          <summary>Reveal the secret</summary>
          <p>
            <code class="secret" id="webhook-secret">
              {data.webhookSecret}
            </code>{" "}
            <button type="button" class="secondary" data-copy="webhook-secret">
              Copy
            </button>
          </p>
        </details>
        {data.previousWebhookSecretExpiresAt && (
          <p class="hint">
            The previous secret also signs until <When at={data.previousWebhookSecretExpiresAt} />.
          </p>
        )}
        <form
          method="post"
          action="/dashboard/developers/webhook-secret/rotate"
          data-confirm="Rotate the signing secret? The old one keeps signing for 24 hours."
        >
          <Csrf token={user.csrf} />
          <p>
            <button type="submit" class="secondary">
              Rotate secret
            </button>
          </p>
        </form>
      </section>

      <section class="card" aria-labelledby="policy-h">
        <h2 id="policy-h">Calling policy</h2>
        <form method="post" action="/dashboard/developers/calling-policy" class="row">
          <Csrf token={user.csrf} />
          <div>
            <label for="policy">Calling hours in the recipient's local time</label>
            <select id="policy" name="callingPolicy">
              {CALLING_POLICIES.map((c) => (
                <option value={c} selected={data.callingPolicy === c}>
                  {POLICY_LABELS[c]}
                </option>
              ))}
            </select>
          </div>
          <div class="shrink">
            <button type="submit">Save policy</button>
          </div>
        </form>
      </section>

      <section class="card" aria-labelledby="dnc-h">
        <h2 id="dnc-h">Do-not-call list</h2>
        {p.dnc.entries.length === 0 ? (
          <p class="hint">No numbers on the list.</p>
        ) : (
          <StackTable columns={["Number", "Reason", "Source", "Added"]} action="Action">
            {p.dnc.entries.map((e) => (
              <tr>
                <td data-label="Number">{e.number}</td>
                <td data-label="Reason">{e.reason ?? "—"}</td>
                <td data-label="Source">{e.source.replace("_", " ")}</td>
                <td data-label="Added">
                  <When at={e.createdAt} />
                </td>
                <td data-label="Action">
                  <form
                    method="post"
                    action="/dashboard/developers/dnc/remove"
                    data-confirm={`Remove ${e.number} from the list?`}
                  >
                    <Csrf token={user.csrf} />
                    <input type="hidden" name="number" value={e.number} />
                    <button
                      type="submit"
                      class="danger"
                      aria-label={`Remove ${e.number} from the list`}
                    >
                      Remove
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </StackTable>
        )}
        {p.dnc.nextCursor && (
          <p class="pager">
            <a
              href={`/dashboard/developers?dncCursor=${encodeURIComponent(p.dnc.nextCursor)}#dnc-h`}
            >
              More numbers
            </a>
          </p>
        )}
        <form method="post" action="/dashboard/developers/dnc" class="row">
          <Csrf token={user.csrf} />
          <div>
            <label for="dnc-number">Number</label>
            <input id="dnc-number" name="number" type="tel" required />
          </div>
          <div>
            <label for="dnc-reason">Reason (optional)</label>
            <input id="dnc-reason" name="reason" maxlength={500} />
          </div>
          <div class="shrink">
            <button type="submit">Add to list</button>
          </div>
        </form>
      </section>
    </Page>
  );
}

const POLICY_LABELS: Record<(typeof CALLING_POLICIES)[number], string> = {
  standard: "Standard: 8:00–21:00",
  strict: "Strict: the jurisdiction's telemarketing hours",
  off: "Off: no calling-hours check",
};

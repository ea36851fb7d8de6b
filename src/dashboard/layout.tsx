/** The page frame: head, skip link, navigation with sign-out, and a flash message. */
import type { Child } from "hono/jsx";

export type Nav = "calls" | "new-call" | "developers";

type PageProps = {
  title: string;
  /** Signed-in pages: the user's email, the CSRF token and the current section. */
  user?: { email: string; csrf: string; nav?: Nav };
  notice?: string | undefined;
  error?: string | undefined;
  children?: Child;
};

export function Page({ title, user, notice, error, children }: PageProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${title} · By Your Side`}</title>
        <link rel="stylesheet" href="/dashboard/assets/app.css" />
        <script src="/dashboard/assets/app.js" defer />
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <div class="bar">
            <a class="brand" href="/dashboard/calls">
              By Your Side
            </a>
            {user && (
              <nav aria-label="Main">
                <ul>
                  <NavLink href="/dashboard/calls" current={user.nav === "calls"}>
                    Calls
                  </NavLink>
                  <NavLink href="/dashboard/calls/new" current={user.nav === "new-call"}>
                    Place a test call
                  </NavLink>
                  <NavLink href="/dashboard/developers" current={user.nav === "developers"}>
                    Developers
                  </NavLink>
                </ul>
              </nav>
            )}
            {user && (
              <form method="post" action="/dashboard/sign-out">
                <span class="hint">{user.email}</span>
                <input type="hidden" name="_csrf" value={user.csrf} />
                <button type="submit" class="secondary">
                  Sign out
                </button>
                <button type="submit" class="secondary" name="everywhere" value="1">
                  Sign out everywhere
                </button>
              </form>
            )}
          </div>
        </header>
        <main id="main">
          <h1>{title}</h1>
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          {children}
        </main>
      </body>
    </html>
  );
}

function NavLink({ href, current, children }: { href: string; current: boolean; children: Child }) {
  return (
    <li>
      <a href={href} aria-current={current ? "page" : undefined}>
        {children}
      </a>
    </li>
  );
}

export function Csrf({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`status ${status}`}>{status.replace("_", " ")}</span>;
}

/** ISO instant as shown: `2026-12-03 09:16:26 UTC`. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="hint">—</span>;
  return <time datetime={at}>{`${at.slice(0, 10)} ${at.slice(11, 19)} UTC`}</time>;
}

/**
 * A table that stacks into labelled cards on a phone (`class="stack"`; each cell carries its
 * column as `data-label`). `action` names a last, visually quiet column of buttons.
 */
export function StackTable(p: {
  columns: string[];
  action?: string;
  caption?: string;
  children?: Child;
}) {
  return (
    <table class="stack">
      {p.caption && <caption class="hint">{p.caption}</caption>}
      <thead>
        <tr>
          {p.columns.map((c) => (
            <th scope="col">{c}</th>
          ))}
          {p.action && (
            <th scope="col">
              <span class="hint">{p.action}</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>{p.children}</tbody>
    </table>
  );
}

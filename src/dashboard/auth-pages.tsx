/** Sign-in and set-password pages (before a session exists). */
import { Page } from "./layout";

export function SignInPage(p: { csrf: string; email?: string; error?: string | undefined }) {
  return (
    <Page title="Sign in" error={p.error}>
      <section class="card">
        <form method="post" action="/dashboard/sign-in">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <label for="email">Email</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value={p.email ?? ""}
          />
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
          />
          <p>
            <button type="submit">Sign in</button>
          </p>
        </form>
        <p class="hint">
          No account yet? Your operator invites you with a one-time link where you choose a
          password.
        </p>
      </section>
    </Page>
  );
}

export function SetPasswordPage(p: {
  csrf: string;
  token: string;
  email: string | null;
  error?: string | undefined;
}) {
  if (p.email === null) {
    return (
      <Page title="Set your password" error="This link has expired or was already used.">
        <p>
          Ask your operator for a new link, or <a href="/dashboard/sign-in">sign in</a>.
        </p>
      </Page>
    );
  }
  return (
    <Page title="Set your password" error={p.error}>
      <section class="card">
        <p>
          Choose a password for <strong>{p.email}</strong> (at least 12 characters).
        </p>
        <form method="post" action="/dashboard/set-password">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <input type="hidden" name="token" value={p.token} />
          <input
            type="email"
            name="email"
            value={p.email}
            autocomplete="username"
            hidden
            readonly
          />
          <label for="password">New password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            minlength={12}
            required
          />
          <label for="confirm">Repeat the password</label>
          <input
            id="confirm"
            name="confirm"
            type="password"
            autocomplete="new-password"
            minlength={12}
            required
          />
          <p>
            <button type="submit">Set password and sign in</button>
          </p>
        </form>
      </section>
    </Page>
  );
}

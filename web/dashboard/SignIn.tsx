/**
 * Sign-in: an API key (any scope that includes READ), checked with one query and kept in this
 * browser's localStorage. Outside production the server's bootstrap key is pre-filled.
 */
import { useState, type FormEvent } from "react";
import { config } from "../shared/config.ts";
import { graphql, GraphQLRequestError } from "../shared/graphql.ts";
import { WHO_AM_I } from "./api.ts";

export function SignIn({ onSignedIn, notice }: { onSignedIn(key: string): void; notice?: string | null }) {
  const [key, setKey] = useState(config.apiKey ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setError("Enter an API key.");
    setBusy(true);
    setError(null);
    try {
      await graphql(WHO_AM_I, undefined, trimmed);
      onSignedIn(trimmed);
    } catch (e) {
      const err = e as GraphQLRequestError;
      setError(err.code === "FORBIDDEN" ? "This key cannot read (it needs the READ scope)." : err.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="signin-page">
      <form className="signin card" onSubmit={submit}>
        <div className="brand brand-large">
          <span className="brand-mark">M</span> ModelQL
        </div>
        <p className="muted">Datasets, models and the predictions they serve, over the GraphQL API.</p>
        {notice && <div className="notice">{notice}</div>}
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="mql_…"
          value={key}
          onChange={(e) => setKey(e.target.value)}
          autoFocus
        />
        {config.apiKey && <p className="hint">Development server: pre-filled with the bootstrap ADMIN key.</p>}
        {error && (
          <div className="error-box" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p className="hint">
          The key stays in this browser (localStorage) and is sent as <code>Authorization: Bearer …</code> to <code>{config.graphqlPath}</code>.
        </p>
      </form>
    </div>
  );
}

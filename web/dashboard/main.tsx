/**
 * The dashboard at `/`: datasets (column statistics, histograms, correlations) and models
 * (leaderboard, curves, coefficients, importance, serving statistics, drift), all read
 * through the public GraphQL API with the key the user signed in with.
 */
import "./styles.css";
import { StrictMode, useCallback, useEffect, useMemo, useState } from "react";
import { createRoot } from "react-dom/client";
import { config, KEY_STORAGE } from "../shared/config.ts";
import { SessionContext, type Session } from "./ui.tsx";
import { SignIn } from "./SignIn.tsx";
import { DatasetsView } from "./Datasets.tsx";
import { ModelsView } from "./Models.tsx";
import { ModelDetailView } from "./ModelDetail.tsx";

type Route = { page: "datasets"; id: string | null } | { page: "models" } | { page: "model"; id: string };

function parseRoute(hash: string): Route {
  const [, page, id] = hash.replace(/^#/, "").split("/");
  if (page === "models") return { page: "models" };
  if (page === "model" && id) return { page: "model", id: decodeURIComponent(id) };
  return { page: "datasets", id: id ? decodeURIComponent(id) : null };
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return parseRoute(hash);
}

function readKey(): string | null {
  try {
    return localStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

function App() {
  const [key, setKey] = useState<string | null>(readKey);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  const signOut = useCallback((reason?: string) => {
    localStorage.removeItem(KEY_STORAGE);
    setKey(null);
    setNotice(reason ?? null);
  }, []);
  const session = useMemo<Session | null>(() => (key ? { key, signOut } : null), [key, signOut]);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(k) => {
          localStorage.setItem(KEY_STORAGE, k);
          setNotice(null);
          setKey(k);
        }}
      />
    );
  }

  return (
    <SessionContext.Provider value={session}>
      <div className="app">
        <header className="topbar">
          <a className="brand" href="#/datasets">
            <span className="brand-mark">M</span> ModelQL
          </a>
          <nav>
            <a href="#/datasets" className={route.page === "datasets" ? "active" : ""}>
              Datasets
            </a>
            <a href="#/models" className={route.page !== "datasets" ? "active" : ""}>
              Models
            </a>
            <a href="/graphiql">GraphiQL ↗</a>
          </nav>
          <div className="topbar-right">
            {config.development && <span className="badge badge-amber">development</span>}
            <span className="key-chip" title="Signed in with this key">
              {key!.slice(0, 12)}…
            </span>
            <button className="ghost" onClick={() => signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <main className="content">
          {route.page === "datasets" && <DatasetsView selected={route.id} />}
          {route.page === "models" && <ModelsView />}
          {route.page === "model" && <ModelDetailView id={route.id} />}
        </main>
        <footer className="footer muted small">
          ModelQL {config.version} · every figure here comes from <a href="/graphiql">the GraphQL API</a>
        </footer>
      </div>
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

/**
 * Small building blocks: the signed-in key in context, a query hook, cards, tiles and badges.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";
import { graphql, GraphQLRequestError } from "../shared/graphql.ts";

export interface Session {
  key: string;
  signOut(reason?: string): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  return useContext(SessionContext)!;
}

export interface QueryState<T> {
  data: T | null;
  error: GraphQLRequestError | null;
  loading: boolean;
  reload(): void;
}

/** Run `query` with `variables` (re-run when they change); a rejected key signs the user out. */
export function useQuery<T>(query: string | null, variables?: Record<string, unknown>): QueryState<T> {
  const session = useSession();
  const [state, setState] = useState<{ data: T | null; error: GraphQLRequestError | null; loading: boolean }>({ data: null, error: null, loading: !!query });
  const [generation, setGeneration] = useState(0);
  const vars = JSON.stringify(variables ?? {});
  useEffect(() => {
    if (!query) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    graphql<T>(query, JSON.parse(vars) as Record<string, unknown>, session.key, controller.signal).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof GraphQLRequestError && error.code === "UNAUTHENTICATED") session.signOut(error.message);
        setState({ data: null, error: error instanceof GraphQLRequestError ? error : new GraphQLRequestError(String(error), null, 0), loading: false });
      },
    );
    return () => controller.abort();
  }, [query, vars, session, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}

export function Card({ title, subtitle, actions, children, className }: { title?: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`}>
      {(title || actions) && (
        <header className="card-head">
          <div>
            {title && <h3>{title}</h3>}
            {subtitle && <p className="muted small">{subtitle}</p>}
          </div>
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Tile({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="tile">
      <div className="tile-label">{label}</div>
      <div className="tile-value">{value}</div>
      {hint && <div className="tile-hint">{hint}</div>}
    </div>
  );
}

const STATUS_TONES: Record<string, string> = { READY: "green", TRAINING: "blue", QUEUED: "gray", FAILED: "red", CANCELLED: "gray" };

export function Badge({ children, tone }: { children: ReactNode; tone?: string }) {
  return <span className={`badge badge-${tone ?? "gray"}`}>{children}</span>;
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONES[status]}>{status.toLowerCase()}</Badge>;
}

export function Loading({ what }: { what?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" /> Loading{what ? ` ${what}` : ""}…
    </div>
  );
}

export function ErrorBox({ error }: { error: GraphQLRequestError | Error }) {
  const code = error instanceof GraphQLRequestError ? error.code : null;
  return (
    <div className="error-box" role="alert">
      {code && <code>{code}</code>} {error.message}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

/**
 * Models: a leaderboard of READY versions ranked by a chosen test metric (within one target,
 * since scores of different targets do not compare), and every version with its status.
 */
import { useCallback, useMemo, useState } from "react";
import { availableMetrics, LOWER_IS_BETTER, MODELS, type ModelSummary } from "./api.ts";
import { fmt, fmtDate, METRIC_LABELS } from "./stats.ts";
import { Badge, Card, Empty, ErrorBox, Loading, StatusBadge, useQuery } from "./ui.tsx";
import { TrainingCard, useModelEvents } from "./Training.tsx";

export function ModelsView() {
  const q = useQuery<{ models: { edges: { node: ModelSummary }[] } }>(MODELS);
  const models = useMemo(() => q.data?.models.edges.map((e) => e.node) ?? [], [q.data]);
  // A training queued or ended anywhere (another tab, the CLI, another server) refreshes the list.
  const { reload } = q;
  useModelEvents(useCallback(() => reload(), [reload]));
  if (q.loading && !q.data) return <Loading what="models" />;
  if (q.error) return <ErrorBox error={q.error} />;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>Models</h1>
          <p className="muted">{models.length} versions, newest first. Pick one for its curves, coefficients, serving statistics and drift.</p>
        </div>
      </div>
      {models.length === 0 ? (
        <Empty>No model yet: train one with <code>trainModel</code> in GraphiQL.</Empty>
      ) : (
        <>
          <TrainingCard models={models} />
          <Leaderboard models={models} />
          <Card title="All versions">
            <div className="table-wrap">
              <table className="table clickable" data-table="models">
                <thead>
                  <tr>
                    <th>Model</th>
                    <th>Algorithm</th>
                    <th>Target</th>
                    <th>Status</th>
                    <th>Aliases</th>
                    <th className="num">Headline metric</th>
                    <th>Trained</th>
                  </tr>
                </thead>
                <tbody>
                  {models.map((m) => {
                    const metric = m.task === "REGRESSION" ? "r2" : "accuracy";
                    return (
                      <tr key={m.id} onClick={() => (location.hash = `#/model/${encodeURIComponent(m.id)}`)}>
                        <td>
                          <a href={`#/model/${encodeURIComponent(m.id)}`} className="strong" data-model={`${m.name}@${m.version}`}>
                            {m.name}
                          </a>{" "}
                          <span className="muted">v{m.version}</span>
                        </td>
                        <td>{m.algorithm}</td>
                        <td>{m.target}</td>
                        <td>
                          <StatusBadge status={m.status} />
                        </td>
                        <td>
                          {m.aliases.map((a) => (
                            <Badge key={a} tone="violet">
                              {a}
                            </Badge>
                          ))}
                        </td>
                        <td className="num">{m.metrics ? `${METRIC_LABELS[metric]} ${fmt(m.metrics[metric] as number | null)}` : "–"}</td>
                        <td className="muted">{fmtDate(m.trainedAt ?? m.createdAt)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      )}
    </div>
  );
}

function Leaderboard({ models }: { models: ModelSummary[] }) {
  const ready = models.filter((m) => m.status === "READY" && m.metrics);
  // Scores compare only within one target: one board per target, the most contested first.
  const targets = useMemo(() => {
    const seen = new Map<string, { key: string; target: string; task: ModelSummary["task"]; count: number }>();
    for (const m of ready) {
      const key = `${m.target}\u0000${m.task}`;
      const entry = seen.get(key) ?? { key, target: m.target, task: m.task, count: 0 };
      entry.count++;
      seen.set(key, entry);
    }
    return [...seen.values()].sort((a, b) => b.count - a.count);
  }, [ready]);
  const [targetKey, setTargetKey] = useState<string | null>(null);
  const target = targets.find((t) => t.key === targetKey) ?? targets[0];
  const metrics = target ? availableMetrics(target.task) : [];
  const [chosen, setChosen] = useState<string | null>(null);
  const metric = chosen && metrics.includes(chosen) ? chosen : metrics[0];

  if (!target || !metric) return null;
  const lower = LOWER_IS_BETTER.has(metric);
  const ranked = ready
    .filter((m) => `${m.target}\u0000${m.task}` === target.key && typeof m.metrics![metric] === "number")
    .sort((a, b) => ((a.metrics![metric] as number) - (b.metrics![metric] as number)) * (lower ? 1 : -1));
  const best = ranked[0]?.metrics![metric] as number | undefined;
  const worst = ranked[ranked.length - 1]?.metrics![metric] as number | undefined;

  return (
    <Card
      title="Leaderboard"
      subtitle={`READY versions predicting ${target.target}, ranked by ${METRIC_LABELS[metric] ?? metric} (${lower ? "lower" : "higher"} is better).`}
      actions={
        <>
          {targets.length > 1 && (
            <select aria-label="Target" value={target.key} onChange={(e) => setTargetKey(e.target.value)}>
              {targets.map((t) => (
                <option key={t.key} value={t.key}>
                  {t.target} ({t.task.toLowerCase()}, {t.count})
                </option>
              ))}
            </select>
          )}
          <select aria-label="Metric" data-control="leaderboard-metric" value={metric} onChange={(e) => setChosen(e.target.value)}>
            {metrics.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABELS[m] ?? m}
              </option>
            ))}
          </select>
        </>
      }
    >
      {ranked.length === 0 ? (
        <Empty>No READY version has this metric.</Empty>
      ) : (
        <table className="table" data-table="leaderboard">
          <thead>
            <tr>
              <th className="num">#</th>
              <th>Model</th>
              <th>Algorithm</th>
              <th>Evaluated on</th>
              <th className="num">{METRIC_LABELS[metric] ?? metric}</th>
              <th className="bar-col" />
            </tr>
          </thead>
          <tbody>
            {ranked.map((m, i) => {
              const value = m.metrics![metric] as number;
              // Positive scores: a bar as long as the score relative to the best (close scores look
              // close). Scores that can be negative (R², MCC): placed between the worst and the best.
              const positive = best !== undefined && worst !== undefined && best > 0 && worst > 0;
              const span = positive ? (lower ? best! / value : value / best!) : best !== undefined && worst !== undefined && best !== worst ? Math.abs(value - worst) / Math.abs(best - worst) : 1;
              return (
                <tr key={m.id} className={i === 0 ? "winner" : ""}>
                  <td className="num strong">{i + 1}</td>
                  <td>
                    <a href={`#/model/${encodeURIComponent(m.id)}`} className="strong">
                      {m.name}
                    </a>{" "}
                    <span className="muted">v{m.version}</span> {m.aliases.map((a) => <Badge key={a} tone="violet">{a}</Badge>)}
                  </td>
                  <td>{m.algorithm}</td>
                  <td>
                    <Badge tone={m.metrics!.evaluatedOn === "TEST" ? "green" : "amber"}>{m.metrics!.evaluatedOn.toLowerCase()}</Badge>
                  </td>
                  <td className="num strong">{fmt(value)}</td>
                  <td className="bar-col">
                    <div className="meter">
                      <div style={{ width: `${Math.max(4, 100 * span)}%` }} />
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Card>
  );
}

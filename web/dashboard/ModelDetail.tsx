/**
 * One model version: its metrics; ROC and precision–recall curves and the confusion matrix
 * (classifiers) or residual plots (regressions); coefficients with confidence intervals when
 * the schema and the model have them; feature importance; and how it serves: predictions over
 * time, latency percentiles and drift per feature.
 */
import { useMemo, useState } from "react";
import { availableMetrics, DRIFT, MODEL, SERVING_STATS, type Coefficient, type FeatureDrift, type ModelDetail, type PredictionStats } from "./api.ts";
import { Chart } from "./Chart.tsx";
import { confusionOption, driftOption, histogramOption, importanceOption, precisionRecallOption, predictionsOverTimeOption, residualsOption, rocOption } from "./charts.ts";
import { fmt, fmtDate, fmtInt, fmtP, METRIC_LABELS } from "./stats.ts";
import { Badge, Card, Empty, ErrorBox, Loading, StatusBadge, Tile, useQuery } from "./ui.tsx";

export function ModelDetailView({ id }: { id: string }) {
  const variables = useMemo(() => ({ id }), [id]);
  const q = useQuery<{ model: ModelDetail | null }>(MODEL, variables);
  if (q.loading && !q.data) return <Loading what="model" />;
  if (q.error) return <ErrorBox error={q.error} />;
  const model = q.data?.model;
  if (!model) return <Empty>This model does not exist (or belongs to another workspace).</Empty>;
  return <ModelBody model={model} />;
}

function ModelBody({ model }: { model: ModelDetail }) {
  const metrics = availableMetrics(model.task);
  const classCurves = model.curves?.classes ?? null;
  const residuals = model.curves?.residuals ?? null;
  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <a href="#/models" className="muted small">
            ← Models
          </a>
          <h1>
            {model.name} <span className="muted">v{model.version}</span> <StatusBadge status={model.status} />{" "}
            {model.aliases.map((a) => (
              <Badge key={a} tone="violet">
                {a}
              </Badge>
            ))}
          </h1>
          <p className="muted">
            {model.algorithm} · {model.task.toLowerCase()} of <b>{model.target}</b> from {model.features.length} columns
            {model.dataset && (
              <>
                {" "}
                · dataset <a href={`#/datasets/${encodeURIComponent(model.dataset.id)}`}>{model.dataset.name}</a>
              </>
            )}{" "}
            · trained {fmtDate(model.trainedAt ?? model.createdAt)} · <code className="id">{model.id}</code>
          </p>
        </div>
      </div>

      {model.error && <ErrorBox error={new Error(model.error)} />}
      {model.warnings.length > 0 && (
        <div className="notice">
          {model.warnings.map((w) => (
            <div key={w}>⚠ {w}</div>
          ))}
        </div>
      )}

      {model.metrics && (
        <Card
          title="Evaluation"
          subtitle={
            <>
              On {fmtInt(model.metrics.rows)} {model.metrics.evaluatedOn === "TEST" ? "held-out" : model.metrics.evaluatedOn.toLowerCase()} rows
              {model.metrics.evaluatedOn === "TRAINING" && " (trained with testFraction 0: optimistic, not an estimate of generalization)"}
              {model.trainingRows != null && ` · ${fmtInt(model.trainingRows)} training rows`}
            </>
          }
        >
          <div className="tiles">
            {metrics
              .filter((m) => model.metrics![m] !== undefined && model.metrics![m] !== null)
              .map((m) => (
                <Tile key={m} label={METRIC_LABELS[m] ?? m} value={fmt(model.metrics![m] as number)} />
              ))}
          </div>
        </Card>
      )}

      {classCurves && classCurves.length > 0 && (
        <div className="grid grid-2">
          <Card title="ROC curve" subtitle="True against false positive rate, over every threshold (evaluation rows).">
            <Chart name="roc-curve" option={rocOption(classCurves, model.metrics?.rocAuc as number | null | undefined)} height={300} />
          </Card>
          <Card title="Precision–recall curve" subtitle="Precision against recall for the positive class (one-vs-rest for more classes).">
            <Chart name="pr-curve" option={precisionRecallOption(classCurves)} height={300} />
          </Card>
        </div>
      )}
      {model.metrics?.confusionMatrix && model.classes && (
        <Card title="Confusion matrix" subtitle="Rows: true class; columns: predicted class.">
          <Chart name="confusion-matrix" option={confusionOption(model.classes, model.metrics.confusionMatrix)} height={Math.max(200, 90 + 44 * model.classes.length)} />
        </Card>
      )}
      {residuals && residuals.length > 0 && (
        <div className="grid grid-2">
          <Card title="Residuals against fitted values" subtitle="True − predicted; a pattern here is structure the model missed.">
            <Chart name="residuals" option={residualsOption(residuals)} height={300} />
          </Card>
          {model.curves?.residualHistogram && (
            <Card title="Distribution of residuals" subtitle="20 equal-width bins.">
              <Chart name="residual-histogram" option={histogramOption(model.curves.residualHistogram, "#0d9488")} height={300} />
            </Card>
          )}
        </div>
      )}

      <div className="grid grid-coef">
        {model.coefficients && model.coefficients.length > 0 && <Coefficients coefficients={model.coefficients} intercept={model.intercept} />}
        {model.featureImportance && model.featureImportance.length > 0 && (
          <Card title="Feature importance" subtitle={importanceSubtitle(model.featureImportance[0]?.method)}>
            <Chart name="feature-importance" option={importanceOption(model.featureImportance)} height={Math.max(160, 40 + 26 * Math.min(20, model.featureImportance.length))} />
          </Card>
        )}
      </div>

      {model.status === "READY" && <Serving reference={`${model.name}@${model.version}`} />}
    </div>
  );
}

function importanceSubtitle(method: string | undefined): string {
  if (method === "PERMUTATION") return "Mean drop of the score when the column is shuffled (5 shuffles; ± one std).";
  if (method === "COEFFICIENT") return "Standardized coefficient magnitude Σ|w|·sd per raw column.";
  return "Global importance per raw column.";
}

function Coefficients({ coefficients, intercept }: { coefficients: Coefficient[]; intercept?: number | null }) {
  const withCi = coefficients.some((c) => c.ciLow != null && c.ciHigh != null);
  const perClass = coefficients.some((c) => c.class);
  // Coefficients are in raw units, which do not compare across rows: each row's interval is
  // drawn on its own scale, centred on 0, to show whether it excludes 0 and on which side.
  const scaleOf = (c: Coefficient) => Math.max(1e-300, Math.abs(c.ciLow ?? c.value), Math.abs(c.ciHigh ?? c.value), Math.abs(c.value)) * 1.1;
  const pos = (v: number, c: Coefficient) => 50 + (50 * v) / scaleOf(c);
  return (
    <Card title="Coefficients" subtitle={`In the units of each raw column${withCi ? "; 95% confidence intervals, each drawn on its own scale around 0" : ""}${intercept != null ? ` · intercept ${fmt(intercept)}` : ""}.`}>
      <div className="table-wrap">
        <table className="table" data-table="coefficients">
          <thead>
            <tr>
              <th>Feature</th>
              {perClass && <th>Class</th>}
              <th className="num">Value</th>
              {withCi && <th className="num">Std. error</th>}
              {withCi && <th className="num">95% CI</th>}
              {withCi && <th className="num">p</th>}
              {withCi && <th className="ci-col" />}
            </tr>
          </thead>
          <tbody>
            {coefficients.map((c, i) => (
              <tr key={`${c.feature}-${c.class ?? ""}-${i}`}>
                <td className="strong">{c.feature}</td>
                {perClass && <td>{c.class}</td>}
                <td className="num">{fmt(c.value)}</td>
                {withCi && <td className="num">{fmt(c.stdError)}</td>}
                {withCi && <td className="num nowrap">{c.ciLow != null && c.ciHigh != null ? `[${fmt(c.ciLow)}, ${fmt(c.ciHigh)}]` : "–"}</td>}
                {withCi && <td className={`num ${c.pValue != null && c.pValue < 0.05 ? "strong" : "muted"}`}>{fmtP(c.pValue)}</td>}
                {withCi && (
                  <td className="ci-col">
                    <div className="ci">
                      <div className="ci-zero" />
                      {c.ciLow != null && c.ciHigh != null && <div className={`ci-bar ${c.ciLow > 0 || c.ciHigh < 0 ? "ci-excludes-zero" : ""}`} style={{ left: `${pos(c.ciLow, c)}%`, width: `${Math.max(0.5, pos(c.ciHigh, c) - pos(c.ciLow, c))}%` }} />}
                      <div className="ci-dot" style={{ left: `${pos(c.value, c)}%` }} />
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

const WINDOWS = [
  { label: "24 hours", hours: 24, bucket: "1 hour" },
  { label: "7 days", hours: 24 * 7, bucket: "1 hour" },
  { label: "30 days", hours: 24 * 30, bucket: "1 day" },
] as const;

function Serving({ reference }: { reference: string }) {
  const [windowIndex, setWindowIndex] = useState(1);
  const win = WINDOWS[windowIndex];
  // Rounded to the minute so that re-renders do not re-query.
  const from = useMemo(() => new Date(Math.floor((Date.now() - win.hours * 3_600_000) / 60_000) * 60_000).toISOString(), [win.hours]);
  const statsVars = useMemo(() => ({ model: reference, from, bucket: win.bucket }), [reference, from, win.bucket]);
  const driftVars = useMemo(() => ({ model: reference, from }), [reference, from]);
  const stats = useQuery<{ predictionStats: PredictionStats }>(SERVING_STATS || null, statsVars);
  const drift = useQuery<{ drift: FeatureDrift[] }>(DRIFT || null, driftVars);
  const s = stats.data?.predictionStats;

  return (
    <>
      <div className="section-row">
        <h2 className="section-title">Serving</h2>
        <div className="segmented" role="group" aria-label="Time window">
          {WINDOWS.map((w, i) => (
            <button key={w.label} className={i === windowIndex ? "active" : ""} onClick={() => setWindowIndex(i)}>
              {w.label}
            </button>
          ))}
        </div>
      </div>
      {SERVING_STATS && (
        <div className="grid grid-serving">
          <Card title="Predictions over time" subtitle={`Per ${win.bucket} over the last ${win.label}, for ${reference}.`}>
            {stats.loading && !s && <Loading />}
            {stats.error && <ErrorBox error={stats.error} />}
            {s && (s.total > 0 ? <Chart name="predictions-over-time" option={predictionsOverTimeOption(s)} height={220} /> : <Empty>No prediction in this window.</Empty>)}
          </Card>
          <Card title="Latency" subtitle="Per prediction batch, in milliseconds.">
            <div className="tiles tiles-col">
              <Tile label="Predictions" value={s ? fmtInt(s.total) : "…"} />
              <Tile label="p50" value={s ? `${fmt(s.latencyP50, 3)} ms` : "…"} />
              <Tile label="p95" value={s ? `${fmt(s.latencyP95, 3)} ms` : "…"} />
              <Tile label="p99" value={s ? `${fmt(s.latencyP99, 3)} ms` : "…"} />
            </div>
          </Card>
        </div>
      )}
      {DRIFT && (
        <Card title="Drift per feature" subtitle={`Logged inputs of the last ${win.label} against the training distribution: drifted when PSI > 0.2 and, for numbers, the two-sample KS test's p < 0.05; no verdict on fewer than 100 values.`}>
          {drift.loading && !drift.data && <Loading />}
          {drift.error && <ErrorBox error={drift.error} />}
          {drift.data &&
            (drift.data.drift.every((d) => d.count === 0) ? (
              <Empty>No logged input in this window.</Empty>
            ) : (
              <div className="grid grid-2 flat">
                <Chart name="drift" option={driftOption(drift.data.drift)} height={Math.max(140, 40 + 28 * drift.data.drift.length)} />
                <table className="table" data-table="drift">
                  <thead>
                    <tr>
                      <th>Feature</th>
                      <th className="num">PSI</th>
                      <th className="num">KS D</th>
                      <th className="num">p</th>
                      <th className="num">Inputs</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {drift.data.drift.map((d) => (
                      <tr key={d.feature}>
                        <td className="strong">{d.feature}</td>
                        <td className="num">{fmt(d.psi, 3)}</td>
                        <td className="num">{fmt(d.ksStatistic, 3)}</td>
                        <td className="num">{fmtP(d.pValue)}</td>
                        <td className="num">{fmtInt(d.count)}</td>
                        <td title={d.message}>
                          {d.drifted === null ? <Badge tone="gray">too few inputs</Badge> : d.drifted ? <Badge tone="red">drifted</Badge> : <Badge tone="green">stable</Badge>}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ))}
        </Card>
      )}
    </>
  );
}

/**
 * Datasets: the list, and for the selected one its columns' statistics, a histogram per
 * numeric column (the server's `stats.histogram`, else computed from a page of rows), the
 * distribution of categories and booleans, and the correlation heatmap of numeric columns
 * computed from the first SAMPLE_ROWS rows.
 */
import { useMemo } from "react";
import { DATASET, DATASETS, SAMPLE_ROWS, type Column, type DatasetDetail, type DatasetSummary } from "./api.ts";
import { Chart } from "./Chart.tsx";
import { categoryBarOption, heatmapOption, histogramOption } from "./charts.ts";
import { correlationMatrix, fmt, fmtDate, fmtInt, histogram, numbers } from "./stats.ts";
import { Badge, Card, Empty, ErrorBox, Loading, useQuery } from "./ui.tsx";
import { UploadForm } from "./Upload.tsx";

export function DatasetsView({ selected }: { selected: string | null }) {
  const list = useQuery<{ datasets: { edges: { node: DatasetSummary }[] } }>(DATASETS);
  const datasets = list.data?.datasets.edges.map((e) => e.node) ?? [];
  const current = selected ?? datasets[0]?.id ?? null;

  return (
    <div className="split">
      <aside className="sidebar">
        <div className="sidebar-head">
          <h2>Datasets</h2>
          <span className="muted small">{list.data ? datasets.length : ""}</span>
        </div>
        {list.loading && !list.data && <Loading />}
        {list.error && <ErrorBox error={list.error} />}
        <UploadForm
          onUploaded={(id) => {
            list.reload();
            location.hash = `#/datasets/${encodeURIComponent(id)}`;
          }}
        />
        {list.data && datasets.length === 0 && <Empty>No dataset yet: upload a CSV file, or create one with <code>createDataset</code> in GraphiQL.</Empty>}
        <ul className="list">
          {datasets.map((d) => (
            <li key={d.id}>
              <a href={`#/datasets/${encodeURIComponent(d.id)}`} className={d.id === current ? "active" : ""} data-dataset={d.name}>
                <span className="list-title">{d.name}</span>
                <span className="list-meta">
                  {fmtInt(d.rowCount)} rows · {d.columns.length} columns
                </span>
              </a>
            </li>
          ))}
        </ul>
      </aside>
      <section className="detail">{current ? <DatasetDetailView id={current} /> : list.data && <Empty>Select a dataset.</Empty>}</section>
    </div>
  );
}

function DatasetDetailView({ id }: { id: string }) {
  const variables = useMemo(() => ({ id, rows: SAMPLE_ROWS }), [id]);
  const q = useQuery<{ dataset: DatasetDetail | null }>(DATASET, variables);
  if (q.loading && !q.data) return <Loading what="dataset" />;
  if (q.error) return <ErrorBox error={q.error} />;
  const dataset = q.data?.dataset;
  if (!dataset) return <Empty>This dataset does not exist (or belongs to another workspace).</Empty>;
  return <DatasetBody dataset={dataset} />;
}

function DatasetBody({ dataset }: { dataset: DatasetDetail }) {
  const rows = useMemo(() => dataset.rows.edges.map((e) => e.node), [dataset]);
  const numeric = dataset.columns.filter((c) => c.type === "NUMBER");
  const sampled = dataset.rows.pageInfo.hasNextPage;
  const correlation = useMemo(() => {
    const names = numeric.map((c) => c.name);
    return { names, matrix: correlationMatrix(rows, names) };
  }, [rows, numeric.map((c) => c.name).join("\u0000")]);

  return (
    <div className="stack">
      <div className="page-head">
        <div>
          <h1>{dataset.name}</h1>
          <p className="muted">
            {fmtInt(dataset.rowCount)} rows · {dataset.columns.length} columns · created {fmtDate(dataset.createdAt)} · <code className="id">{dataset.id}</code>
          </p>
        </div>
      </div>

      <Card title="Columns" subtitle="Summary statistics over every row (std: sample, n − 1; quartiles: linear interpolation).">
        <div className="table-wrap">
          <table className="table" data-table="columns">
            <thead>
              <tr>
                <th>Column</th>
                <th>Type</th>
                <th className="num">Count</th>
                <th className="num">Missing</th>
                <th className="num">Mean</th>
                <th className="num">Std</th>
                <th className="num">Min</th>
                <th className="num">Q25</th>
                <th className="num">Median</th>
                <th className="num">Q75</th>
                <th className="num">Max</th>
                <th>Values</th>
              </tr>
            </thead>
            <tbody>
              {dataset.columns.map((c) => (
                <tr key={c.name}>
                  <td className="strong">{c.name}</td>
                  <td>
                    <Badge tone={c.type === "NUMBER" ? "blue" : c.type === "BOOLEAN" ? "amber" : "teal"}>{c.type.toLowerCase()}</Badge>
                  </td>
                  <td className="num">{fmtInt(c.stats?.count)}</td>
                  <td className={`num ${c.stats?.missing ? "warn" : ""}`}>{fmtInt(c.stats?.missing)}</td>
                  <td className="num">{fmt(c.stats?.mean)}</td>
                  <td className="num">{fmt(c.stats?.std)}</td>
                  <td className="num">{fmt(c.stats?.min)}</td>
                  <td className="num">{fmt(c.stats?.q25)}</td>
                  <td className="num">{fmt(c.stats?.median)}</td>
                  <td className="num">{fmt(c.stats?.q75)}</td>
                  <td className="num">{fmt(c.stats?.max)}</td>
                  <td className="muted small">{valuesSummary(c)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>

      {numeric.length > 0 && (
        <>
          <h2 className="section-title">Distributions</h2>
          <div className="grid grid-3">
            {numeric.map((c) => (
              <NumericColumnCard key={c.name} column={c} rows={rows} sampled={sampled} />
            ))}
          </div>
        </>
      )}

      {dataset.columns.some((c) => c.type !== "NUMBER") && (
        <div className="grid grid-3">
          {dataset.columns
            .filter((c) => c.type !== "NUMBER")
            .map((c) => (
              <CategoryColumnCard key={c.name} column={c} />
            ))}
        </div>
      )}

      {numeric.length >= 2 && (
        <Card
          title="Correlation of numeric columns"
          subtitle={`Pearson r over ${sampled ? `the first ${fmtInt(rows.length)} of ${fmtInt(dataset.rowCount)}` : `all ${fmtInt(rows.length)}`} rows, pairwise complete.`}
        >
          <Chart name="correlation-heatmap" option={heatmapOption(correlation.names, correlation.matrix)} height={Math.max(280, 60 + 34 * numeric.length + 80)} />
        </Card>
      )}
    </div>
  );
}

function NumericColumnCard({ column, rows, sampled }: { column: Column; rows: Record<string, unknown>[]; sampled: boolean }) {
  const fromServer = column.stats?.histogram ?? null;
  const h = useMemo(() => fromServer ?? histogram(numbers(rows, column.name)), [fromServer, rows, column.name]);
  return (
    <Card
      title={column.name}
      subtitle={
        <>
          mean {fmt(column.stats?.mean)} · median {fmt(column.stats?.median)} · std {fmt(column.stats?.std)}
          {!fromServer && sampled ? " · histogram of the first rows" : ""}
        </>
      }
    >
      {h ? <Chart name={`histogram-${column.name}`} option={histogramOption(h)} height={180} /> : <Empty>No values.</Empty>}
    </Card>
  );
}

function CategoryColumnCard({ column }: { column: Column }) {
  const s = column.stats;
  const values =
    column.type === "BOOLEAN"
      ? [
          { value: "true", count: s?.trueCount ?? 0 },
          { value: "false", count: s?.falseCount ?? 0 },
        ]
      : (s?.topValues ?? []).slice(0, 8);
  return (
    <Card title={column.name} subtitle={column.type === "BOOLEAN" ? "true / false" : `${fmtInt(s?.distinct)} distinct values${(s?.distinct ?? 0) > 8 ? ", the 8 most frequent" : ""}`}>
      {values.length > 0 ? (
        <Chart name={`values-${column.name}`} option={categoryBarOption(values, column.type === "BOOLEAN" ? "#d97706" : "#0d9488")} height={Math.max(110, 30 + values.length * 24)} />
      ) : (
        <Empty>No values.</Empty>
      )}
    </Card>
  );
}

function valuesSummary(c: Column): string {
  const s = c.stats;
  if (!s) return "";
  if (c.type === "BOOLEAN") return `${fmtInt(s.trueCount)} true · ${fmtInt(s.falseCount)} false`;
  if (c.type === "CATEGORY") {
    const top = (s.topValues ?? []).slice(0, 3).map((v) => `${v.value} (${v.count})`);
    return `${fmtInt(s.distinct)} distinct${top.length ? `: ${top.join(", ")}` : ""}`;
  }
  return "";
}

/**
 * Trainings as they happen: every QUEUED or TRAINING version with a progress bar fed by the
 * `trainingProgress` subscription (graphql-ws), and the list refreshed by `modelEvents` when
 * a training is queued or ends. The bar reads 100% once the version is READY.
 */
import { useEffect, useState } from "react";
import { subscribe } from "../shared/graphql.ts";
import type { ModelSummary } from "./api.ts";
import { Card, StatusBadge, useSession } from "./ui.tsx";

const PROGRESS = `subscription DashboardTrainingProgress($id: ID!) { trainingProgress(modelId: $id) { status iteration objective fraction } }`;
const EVENTS = `subscription DashboardModelEvents { modelEvents { type modelId } }`;

interface Progress {
  status: string;
  iteration: number | null;
  objective: number | null;
  fraction: number | null;
}

/** Calls `onChange` when a model of the workspace is created, starts, ends or is deleted. */
export function useModelEvents(onChange: () => void): void {
  const session = useSession();
  useEffect(() => subscribe<{ modelEvents: { type: string } }>(EVENTS, {}, session.key, () => onChange()), [session.key, onChange]);
}

export function TrainingCard({ models }: { models: ModelSummary[] }) {
  // Versions seen running stay on the card (with their final state) until the page is left.
  const [followed, setFollowed] = useState<ModelSummary[]>([]);
  useEffect(() => {
    setFollowed((previous) => {
      const known = new Set(previous.map((m) => m.id));
      const fresh = models.filter((m) => (m.status === "QUEUED" || m.status === "TRAINING") && !known.has(m.id));
      return fresh.length ? [...fresh, ...previous] : previous;
    });
  }, [models]);
  if (followed.length === 0) return null;
  return (
    <Card title="Training" subtitle="Live from the trainingProgress subscription">
      <ul className="training-list" data-training>
        {followed.map((m) => (
          <TrainingRow key={m.id} model={m} />
        ))}
      </ul>
    </Card>
  );
}

function TrainingRow({ model }: { model: ModelSummary }) {
  const session = useSession();
  const [progress, setProgress] = useState<Progress>({ status: model.status, iteration: null, objective: null, fraction: null });
  useEffect(
    () => subscribe<{ trainingProgress: Progress }>(PROGRESS, { id: model.id }, session.key, (data) => setProgress((p) => ({ ...p, ...data.trainingProgress }))),
    [model.id, session.key],
  );
  const percent = Math.round(100 * (progress.status === "READY" ? 1 : (progress.fraction ?? 0)));
  return (
    <li className="training-row" data-training-model={`${model.name}@${model.version}`} data-status={progress.status}>
      <div className="training-head">
        <a href={`#/model/${encodeURIComponent(model.id)}`} className="strong">
          {model.name}
        </a>{" "}
        <span className="muted">
          v{model.version} · {model.algorithm}
        </span>{" "}
        <StatusBadge status={progress.status} />
        <span className="muted training-detail">
          {progress.iteration !== null ? `iteration ${progress.iteration}` : ""}
          {progress.objective !== null && Number.isFinite(progress.objective) ? ` · objective ${progress.objective.toPrecision(5)}` : ""}
        </span>
      </div>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={`training ${model.name} v${model.version}`}>
        <div className={`progress-fill ${progress.status === "FAILED" || progress.status === "CANCELLED" ? "progress-stopped" : ""}`} style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-label">{percent}%</span>
    </li>
  );
}

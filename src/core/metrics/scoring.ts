/**
 * The metrics a search or leaderboard can rank by, with their task and direction
 * (scikit-learn's scorers: greater is better unless it is an error or a loss).
 */
import { InvalidInputError } from "../errors.ts";
import type { Task } from "../estimators/types.ts";

export const SCORING: Record<string, { task: Task; greaterIsBetter: boolean }> = {
  r2: { task: "regression", greaterIsBetter: true },
  adjustedR2: { task: "regression", greaterIsBetter: true },
  explainedVariance: { task: "regression", greaterIsBetter: true },
  rmse: { task: "regression", greaterIsBetter: false },
  mae: { task: "regression", greaterIsBetter: false },
  mape: { task: "regression", greaterIsBetter: false },
  accuracy: { task: "classification", greaterIsBetter: true },
  balancedAccuracy: { task: "classification", greaterIsBetter: true },
  precision: { task: "classification", greaterIsBetter: true },
  recall: { task: "classification", greaterIsBetter: true },
  f1: { task: "classification", greaterIsBetter: true },
  mcc: { task: "classification", greaterIsBetter: true },
  rocAuc: { task: "classification", greaterIsBetter: true },
  logLoss: { task: "classification", greaterIsBetter: false },
};

/** The metric's entry, or BAD_USER_INPUT naming the metrics that fit the task. */
export function scoringFor(metric: string | null | undefined, task: Task): { name: string; greaterIsBetter: boolean } {
  const name = metric ?? (task === "regression" ? "r2" : "accuracy");
  const entry = SCORING[name];
  if (!entry || entry.task !== task) {
    const allowed = Object.keys(SCORING).filter((m) => SCORING[m].task === task);
    throw new InvalidInputError(`Unknown ${task} metric ${JSON.stringify(name)}; use one of ${allowed.join(", ")}.`, { field: "metric" });
  }
  return { name, greaterIsBetter: entry.greaterIsBetter };
}

/**
 * Runs inside an explanation thread (explain-threads.ts): sampling Shapley values of a kernel
 * model, off the event loop that answers HTTP. Models arrive serialized with the first task
 * that needs them and are kept while the main thread says so (`evict`).
 */
import { parentPort } from "node:worker_threads";
import { DomainError } from "../../core/errors.ts";
import { estimatorFromJSON, type Classifier } from "../../core/estimators/index.ts";
import { samplingShapleyValues } from "../../core/explain/shapley.ts";
import type { Matrix } from "../../core/matrix.ts";
import type { ExplainTask, ExplainThreadMessage } from "./explain-threads.ts";

const models = new Map<string, Classifier>();
const post = (message: ExplainThreadMessage) => parentPort!.postMessage(message);

parentPort!.on("message", (task: ExplainTask) => {
  try {
    for (const id of task.evict) models.delete(id);
    if (task.estimator) models.set(task.modelId, estimatorFromJSON(task.estimator) as unknown as Classifier);
    const estimator = models.get(task.modelId);
    if (!estimator) throw new Error(`explanation thread: model ${task.modelId} was not sent`);
    const { nClasses: k, label, perClass } = task;
    // The reported output: the predicted class's decision value (per-class models) or the positive class's.
    const f = (X: Matrix) => {
      const decision = estimator.decisionFunction(X);
      return perClass ? Float64Array.from({ length: X.rows }, (_, i) => decision[i * k + label]) : decision;
    };
    const result = samplingShapleyValues(f, task.x, task.background, task.options);
    post({ type: "done", id: task.id, result });
  } catch (error) {
    post({
      type: "error",
      id: task.id,
      error:
        error instanceof DomainError
          ? { name: error.name, code: error.code, message: error.message, details: error.details }
          : { name: (error as Error)?.name ?? "Error", message: (error as Error)?.message ?? String(error) },
    });
  }
});

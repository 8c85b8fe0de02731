/**
 * From solver reports to one number a progress bar can show. Solvers stop when their gap
 * (gradient norm, duality gap…) falls below `tol`, and gaps shrink roughly geometrically, so
 * the fraction of a stage done is how far the gap has come on a log scale,
 * log(g₀/g) / log(g₀/tol), or the share of `max_iter` used when that is further along
 * (solvers without a gap, or ones that stall). A request is `stages` fits (the model, then
 * each cross-validation fold); the fraction shown never goes backwards and stays below 1
 * until the job is stored.
 */
import type { StageProgress } from "../services/training/fitting.ts";

export interface JobProgress {
  iteration: number;
  objective: number;
  /** 0 … 1 over the whole request */
  fraction: number;
  stage: number;
  stages: number;
}

const BELOW_DONE = 0.99;

export class ProgressMeter {
  private firstGap: number | undefined;
  private stage = -1;
  private shown = 0;

  constructor(
    private readonly tol: number | undefined,
    private readonly maxIter: number | undefined,
  ) {}

  update(report: StageProgress): JobProgress {
    if (report.stage !== this.stage) {
      this.stage = report.stage;
      this.firstGap = undefined;
    }
    let within = 0;
    if (this.maxIter && this.maxIter > 0) within = Math.min(1, report.iteration / this.maxIter);
    const gap = report.gap;
    if (gap !== undefined && Number.isFinite(gap) && gap > 0 && this.tol && this.tol > 0) {
      this.firstGap ??= gap;
      const span = Math.log(this.firstGap / this.tol);
      if (span > 0) within = Math.max(within, Math.min(1, Math.log(this.firstGap / gap) / span));
    }
    const fraction = Math.min(BELOW_DONE, (report.stage + within) / report.stages);
    this.shown = Math.max(this.shown, fraction);
    return { iteration: report.iteration, objective: report.objective, fraction: this.shown, stage: report.stage, stages: report.stages };
  }
}

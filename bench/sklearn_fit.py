"""scikit-learn side of bench/estimators.ts: fit the same data with the same hyperparameters.

Usage: /usr/bin/python3 bench/sklearn_fit.py DIR

DIR holds what bench/estimators.ts wrote: X.f64 (rows x features, row-major little-endian
float64), y_regression.f64, y_classification.f64 (rows) and jobs.json (algorithm, task,
resolved hyperparameters, optional subsample). The first train_rows rows train, the rest
test. Each fit is timed with time.perf_counter() around .fit only: best of 3 when a fit
takes under repeat_below_s seconds, one run otherwise. Prints one JSON object on stdout;
progress goes to stderr. The BLAS environment (OPENBLAS_*) is left as inherited and
reported, with threadpoolctl's view of the BLAS numpy loaded when it is importable.
"""
import gc
import json
import os
import platform
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.svm import SVC, SVR, LinearSVC

# Our algorithm name -> (sklearn class, fixed arguments our estimator implies).
ESTIMATORS = {
    "LINEAR_REGRESSION": (LinearRegression, {}),
    "RIDGE": (Ridge, {}),
    "LOGISTIC_REGRESSION": (LogisticRegression, {"solver": "lbfgs", "penalty": "l2"}),
    "LINEAR_SVM": (LinearSVC, {"dual": True}),
    "LASSO": (Lasso, {}),
    "ELASTIC_NET": (ElasticNet, {}),
    "SVM": (SVC, {}),
    "SVR": (SVR, {}),
}


def blas_info():
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        try:
            np.show_config()  # to stderr would need redirect; keep it short instead
        except Exception:
            pass
        return []
    return [{k: v for k, v in info.items() if isinstance(v, (str, int, float))} for info in threadpool_info()]


def peak_rss_reset():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def peak_rss():
    """Peak resident set size in bytes since the last reset (VmHWM), else the lifetime maximum."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def make(algorithm, params):
    cls, fixed = ESTIMATORS[algorithm]
    accepted = cls().get_params().keys()
    # Our resolved hyperparameters, where sklearn has a parameter of the same name.
    args = {k: v for k, v in params.items() if k in accepted}
    args.update(fixed)
    return cls(**args)


def n_iter(est):
    it = getattr(est, "n_iter_", None)
    if it is None:
        return None
    return int(np.max(it))


def bench(job, X, y, train_rows, repeat_below_s):
    algorithm = job["algorithm"]
    m = job.get("subsample")
    if m:
        Xtr, ytr, Xte, yte = X[:m], y[:m], X[train_rows : train_rows + m], y[train_rows : train_rows + m]
    else:
        Xtr, ytr, Xte, yte = X[:train_rows], y[:train_rows], X[train_rows:], y[train_rows:]
    if algorithm not in ESTIMATORS:
        return {"algorithm": algorithm, "estimator": None, "seconds": None, "runs": 0, "score": None, "n_iter": None, "peak_rss": None, "warnings": [], "error": "no scikit-learn equivalent mapped in bench/sklearn_fit.py"}
    best, runs, peak, caught, est = float("inf"), 0, 0, [], None
    try:
        while True:
            est = make(algorithm, job["params"])
            gc.collect()
            peak_rss_reset()
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                t0 = time.perf_counter()
                est.fit(Xtr, ytr)
                s = time.perf_counter() - t0
            peak = max(peak, peak_rss())
            caught = sorted({str(x.message).split("\n")[0] for x in w})
            runs += 1
            best = min(best, s)
            if best >= repeat_below_s or runs >= 3:
                break
        pred = est.predict(Xte)
        score = r2_score(yte, pred) if job["task"] == "regression" else accuracy_score(yte, pred)
        return {"algorithm": algorithm, "estimator": repr(est), "seconds": best, "runs": runs, "score": float(score), "n_iter": n_iter(est), "peak_rss": peak, "warnings": caught}
    except Exception as e:  # report, keep going with the other algorithms
        return {"algorithm": algorithm, "estimator": repr(est), "seconds": None, "runs": runs, "score": None, "n_iter": None, "peak_rss": None, "warnings": caught, "error": f"{type(e).__name__}: {e}"}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: /usr/bin/python3 bench/sklearn_fit.py DIR (written by bench/estimators.ts)")
    d = sys.argv[1]
    with open(os.path.join(d, "jobs.json")) as f:
        spec = json.load(f)
    n, p = spec["rows"], spec["features"]
    X = np.fromfile(os.path.join(d, "X.f64"), dtype="<f8").reshape(n, p)
    ys = {task: np.fromfile(os.path.join(d, f"y_{task}.f64"), dtype="<f8") for task in ("regression", "classification")}
    results = []
    for job in spec["jobs"]:
        print(f"sklearn  {job['algorithm']} …", file=sys.stderr, flush=True)
        y = ys[job["task"]]
        r = bench(job, X, y if job["task"] == "regression" else y.astype(np.int64), spec["train_rows"], spec["repeat_below_s"])
        msg = f"error: {r['error']}" if r.get("error") else f"{r['seconds']:.4g} s x {r['runs']}, score {r['score']:.5f}"
        print(f"  {msg}", file=sys.stderr, flush=True)
        results.append(r)
    json.dump(
        {
            "python": platform.python_version(),
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "blas": blas_info(),
            "blas_env": {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS", "OMP_", "MKL_", "GOTO"))},
            "results": results,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()

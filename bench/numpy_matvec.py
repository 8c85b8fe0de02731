"""Reference of `npm run bench -- batch`: numpy X @ w + b in the process that holds X, the
memory-bound limit of scoring a linear model (no parsing, no serialization, no logging).

Usage: /usr/bin/python3 bench/numpy_matvec.py DIR   (DIR/X.f64 and DIR/meta.json from bench/batch.ts)
Prints {"rows": n, "seconds": best of 20, "rows_per_second": ...} as JSON.
"""
import json
import os
import sys
import time

import numpy as np

d = sys.argv[1]
with open(os.path.join(d, "meta.json")) as f:
    meta = json.load(f)
X = np.fromfile(os.path.join(d, "X.f64"), dtype="<f8").reshape(meta["rows"], meta["features"])
w = np.linspace(-1, 1, meta["features"])
best = float("inf")
for _ in range(20):
    t0 = time.perf_counter()
    y = X @ w + 0.5
    best = min(best, time.perf_counter() - t0)
json.dump({"rows": meta["rows"], "seconds": best, "rows_per_second": meta["rows"] / best}, sys.stdout)

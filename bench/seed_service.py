"""The seed's Flask service (../shared/SEED.md, section 4), made to work: the reference for
`npm run bench -- serving`.

The seed's /predict built a new, unfitted LinearRegression on every request and reshaped the
input to one column, so it could never answer. Fixed the least possible:
  - the model is fitted once, at start, on the benchmark's data (the same seeded rows our
    server trains on), with the seed's own normal-equation fit;
  - predict adds the intercept column that fit added (the seed forgot it);
  - the input is one or more rows of all features: {"X": [[x0, ..., x19]]}.
Nothing is logged (the seed logged nothing).

Run (bench/serving.ts does this), 2 sync workers as in the issue:
  SEED_DATA=DIR gunicorn -w 2 -k sync -b 127.0.0.1:PORT --chdir bench seed_service:app
DIR holds X.f64 (rows x features, row-major little-endian float64), y_regression.f64 and
meta.json {"rows": n, "features": p}, written by bench/serving.ts from bench/lib/data.ts.
"""
import json
import os

import numpy as np
from flask import Flask, jsonify, request


class LinearRegression:
    """The seed's model, verbatim except for the intercept column in predict."""

    def __init__(self):
        self.coef_ = None

    def fit(self, X, y):
        X = np.hstack((np.ones((X.shape[0], 1)), X))
        self.coef_ = np.linalg.inv(X.T.dot(X)).dot(X.T).dot(y)

    def predict(self, X):
        X = np.hstack((np.ones((X.shape[0], 1)), X))
        return X.dot(self.coef_)


def load(directory):
    with open(os.path.join(directory, "meta.json")) as f:
        meta = json.load(f)
    X = np.fromfile(os.path.join(directory, "X.f64"), dtype="<f8").reshape(meta["rows"], meta["features"])
    y = np.fromfile(os.path.join(directory, "y_regression.f64"), dtype="<f8")
    return X, y, meta["features"]


X_TRAIN, Y_TRAIN, FEATURES = load(os.environ["SEED_DATA"])
model = LinearRegression()
model.fit(X_TRAIN, Y_TRAIN)  # once, at start (in each worker)

app = Flask(__name__)


@app.route("/predict", methods=["POST"])
def predict():
    data = request.get_json()
    X = np.array(data["X"], dtype=float).reshape(-1, FEATURES)
    prediction = model.predict(X)
    return jsonify({"prediction": prediction.tolist()})


@app.route("/healthz")
def healthz():
    return "ok"


if __name__ == "__main__":
    app.run()

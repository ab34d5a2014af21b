"""The native peer of `npm run bench`: the same training step in PyTorch on one thread.

A long-lived child process of bench/native-peer.ts, so its runs can be interleaved with
atomsweep's (A B A B ...) while both stay warm. It reads one JSON request per line on
stdin and answers one JSON line on stdout (log lines go to stderr):

  {"op": "info"}                                  -> {"torch", "threads", "blas"}
  {"op": "prepare", "shape": {...}, "targetMs": T} -> {"steps", "warmup"}: builds the
      network and its data, warms up with doubling runs, and returns the step count
      that takes about T ms
  {"op": "run", "shape": "<id>", "steps": k}      -> {"steps", "ms", "cpuMs"}: k timed steps

For each shape (bench/cases.ts) it trains one network the way core/train/train-pack.ts
trains each of its networks: an MLP with sigmoid hidden layers and a linear output,
Xavier-uniform initialisation, the shape's loss on raw outputs (mean squared error, or
softmax cross-entropy on one-hot labels), TF1-style Adam (torch.optim.Adam, the same
update up to the placement of epsilon), and per step a fresh random permutation of the n
training rows whose first B rows form the batch (a full batch when B >= n uses all rows,
no sampling). A run ends by reading the last loss back, as the engine does at a checkpoint.

Run with OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 in the environment (set before Python
starts; torch.set_num_threads(1) alone still used two cores on the project's machines).
"""
import json
import os
import sys
import time

import torch


def build(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.xavier_uniform_(lin.weight)
        # Xavier-uniform on the biases too, with the layer's limit (core/nn/initializers.ts).
        limit = (6.0 / (sizes[i] + sizes[i + 1])) ** 0.5
        torch.nn.init.uniform_(lin.bias, -limit, limit)
        layers.append(lin)
        if i + 2 < len(sizes):
            layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def data(shape, gen):
    d, c, n = shape["sizes"][0], shape["sizes"][-1], shape["n"]
    x = torch.randn(n, d, generator=gen)
    if shape["loss"] == "mean_squared_error":
        y = torch.sin(3 * x[:, :1]).repeat(1, c)
    else:
        score = x @ torch.randn(d, 1, generator=gen) + 0.3 * torch.randn(n, 1, generator=gen)
        y = (score[:, 0] > 0).long() % c
    return x, y


class Trainer:
    def __init__(self, shape):
        torch.manual_seed(0)
        self.gen = torch.Generator().manual_seed(0)
        self.net = build(shape["sizes"])
        self.x, self.y = data(shape, self.gen)
        self.n, self.batch = shape["n"], min(shape["n"], shape["batchSize"])
        self.opt = torch.optim.Adam(self.net.parameters(), lr=shape["lr"], eps=1e-7)
        mse = shape["loss"] == "mean_squared_error"
        self.loss_fn = torch.nn.MSELoss() if mse else torch.nn.CrossEntropyLoss()

    def steps(self, k):
        net, opt, loss_fn, x, y, n, batch = self.net, self.opt, self.loss_fn, self.x, self.y, self.n, self.batch
        loss = None
        for _ in range(k):
            if batch < n:
                idx = torch.randperm(n, generator=self.gen)[:batch]
                xb, yb = x[idx], y[idx]
            else:
                xb, yb = x, y
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
        return float(loss)

    def timed(self, k):
        t, c = time.perf_counter(), time.process_time()
        self.steps(k)
        return (time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000


def prepare(trainer, target_ms):
    """Warm up with doubling runs (at least 1 s), then the step count for about target_ms."""
    k, spent, per, warmup = 1, 0.0, 1e-4, []
    while spent < 1000 and k < 1 << 16:
        ms, cpu = trainer.timed(k)
        warmup.append({"steps": k, "msPerStep": ms / k, "cpuMsPerStep": cpu / k})
        spent += ms
        per = max(ms / k, 1e-4)
        k *= 2
    return {"steps": max(2, int(target_ms / per)), "warmup": warmup}


def blas():
    """Which BLAS Debian's torch links (libblas.so.3 is an alternative): the reference BLAS
    is several times slower than OpenBLAS, which makes no fair peer."""
    try:
        path = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    except OSError:
        return "unknown"
    return "openblas" if "openblas" in path else "reference" if "/blas/" in path else path


def main():
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set (only possible before any parallel work)
    trainers = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        op = req["op"]
        if op == "info":
            out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas()}
        elif op == "prepare":
            shape = req["shape"]
            trainers[shape["id"]] = Trainer(shape)
            out = prepare(trainers[shape["id"]], req["targetMs"])
        elif op == "run":
            ms, cpu = trainers[req["shape"]].timed(req["steps"])
            out = {"steps": req["steps"], "ms": ms, "cpuMs": cpu}
        else:
            out = {"error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

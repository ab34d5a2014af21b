"""The native peer of `npm run bench`: the same training step in PyTorch on one thread.

Reads the bench's shapes as JSON on stdin (bench/cases.ts SHAPES plus timing settings),
and for each shape trains one network the way core/train/train-pack.ts trains each of
its networks: an MLP with sigmoid hidden layers and a linear output, Xavier-uniform
initialisation, the shape's loss on raw outputs (mean squared error, or softmax cross-
entropy on one-hot labels), TF1-style Adam (torch.optim.Adam, the same update up to the
placement of epsilon), and per step a fresh random permutation of the n training rows
whose first B rows form the batch (a full batch when B >= n uses all rows, no sampling).

Writes one JSON object per shape on stdout: wall and CPU ms per step (median of repeats).
Run with OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 in the environment (set before Python
starts; torch.set_num_threads(1) alone still used two cores on the project's machines).
"""
import json
import os
import statistics
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


def time_shape(shape, target_ms, repeats):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    net = build(shape["sizes"])
    x, y = data(shape, gen)
    n, batch = shape["n"], min(shape["n"], shape["batchSize"])
    opt = torch.optim.Adam(net.parameters(), lr=shape["lr"], eps=1e-7)
    mse = shape["loss"] == "mean_squared_error"
    loss_fn = torch.nn.MSELoss() if mse else torch.nn.CrossEntropyLoss()

    def steps(k):
        for _ in range(k):
            if batch < n:
                idx = torch.randperm(n, generator=gen)[:batch]
                xb, yb = x[idx], y[idx]
            else:
                xb, yb = x, y
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
        return float(loss)  # read the last loss back, as the engine does at a checkpoint

    # Warm up with doubling runs, then calibrate the step count to about target_ms.
    k, spent, per = 1, 0.0, 1e-4
    while spent < 1000 and k < 1 << 16:
        t = time.perf_counter()
        steps(k)
        dt = (time.perf_counter() - t) * 1000
        spent += dt
        per = max(dt / k, 1e-4)
        k *= 2
    k = max(2, int(target_ms / per))
    wall, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        steps(k)
        wall.append((time.perf_counter() - t) * 1000 / k)
        cpu.append((time.process_time() - c) * 1000 / k)
    return {
        "shape": shape["id"],
        "msPerStep": statistics.median(wall),
        "cpuMsPerStep": statistics.median(cpu),
        "stepsPerRepeat": k,
        "repeats": repeats,
        "samplesMsPerStep": wall,
    }


def blas():
    """Which BLAS Debian's torch links (libblas.so.3 is an alternative): the reference BLAS
    is several times slower than OpenBLAS, which makes no fair peer."""
    try:
        path = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
    except OSError:
        return "unknown"
    return "openblas" if "openblas" in path else "reference" if "/blas/" in path else path


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(1)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas(), "results": []}
    for shape in job["shapes"]:
        out["results"].append(time_shape(shape, job["targetMs"], job["repeats"]))
        print(f"  pytorch      {shape['id']}: {out['results'][-1]['msPerStep']:.4f} ms/step", file=sys.stderr)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()

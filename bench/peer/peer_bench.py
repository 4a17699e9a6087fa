#!/usr/bin/env python3
"""The PyTorch peer of nabla's benchmark harness (issue #5): the same workloads, timed the same way.

Workloads (exactly those of dev.nabla.bench.Harness):
  dsm     one training step of denoising score matching: data a 2-D Gaussian mixture (8 modes on a circle of
          radius 4, std 0.1), batch 512, sigma log-uniform in [0.01, 10], an MLP 3 -> 128 -> 128 -> 128 -> 2 with
          SiLU on (x, y, log sigma), loss mean(sigma^2 |s(x + sigma eps) + eps/sigma|^2), Adam lr 1e-3; data,
          noise and sigma drawn fresh each step.
  ism     the same model and data, loss mean(sigma^2 (1/2 |s(xt)|^2 + v^T ds/dx v)) with one Rademacher probe v:
          v^T J by torch.autograd.grad(create_graph=True), then backward through it (a gradient of a gradient).
  matmul  C = A B for 512x512x512 and 512x128x128 (m x n x k), GFLOP/s = 2 m n k / time.
each in float64 and float32, with torch.set_num_threads(n) for every n in --threads.

Timing: --warmup steps, then --rounds rounds of --round-steps steps, each round timed with perf_counter; the
value printed is the median over rounds. Matmul: --mm-warmup seconds, then --rounds rounds of --mm-seconds.

Output, one line per measurement (machine-readable; the harness bin/bench-all parses them):
  PEER <workload> <dtype> threads=<n> value=<v> unit=<steps/s|GFLOP/s> rounds=<r> min=<v> max=<v> [last_round_loss=<l>]
plus PEER-INFO lines naming torch, its BLAS and OpenBLAS' core type.
"""
import argparse
import ctypes
import math
import os
import statistics
import sys
import time

import torch

BATCH = 512
MODES, RADIUS, STD = 8, 4.0, 0.1
SIGMA_MIN, SIGMA_MAX = 0.01, 10.0
LR = 1e-3
FOREACH = os.environ.get("PEER_ADAM_FOREACH", "1") == "1"


def blas_info():
    """What BLAS this process has loaded, and OpenBLAS' own report of its core type, if it is OpenBLAS."""
    libs = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.split()[-1]
                if "blas" in p or "lapack" in p or "libmkl" in p or "dnnl" in p:
                    libs.add(os.path.realpath(p))
    except OSError:
        pass
    config = core = None
    for lib in sorted(libs):
        if "openblas" in lib:
            try:
                h = ctypes.CDLL(lib)
                h.openblas_get_config.restype = ctypes.c_char_p
                h.openblas_get_corename.restype = ctypes.c_char_p
                config = h.openblas_get_config().decode()
                core = h.openblas_get_corename().decode()
                break
            except (OSError, AttributeError):
                continue
    return sorted(libs), config, core


def make_model(dtype):
    torch.manual_seed(1)
    return torch.nn.Sequential(
        torch.nn.Linear(3, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 128), torch.nn.SiLU(),
        torch.nn.Linear(128, 2)).to(dtype)


def make_step(kind, dtype):
    model = make_model(dtype)
    # foreach=True: the multi-tensor Adam, the fastest of torch's Adam implementations on the CPU for many
    # small tensors (the default on the CPU is the per-tensor loop).
    opt = torch.optim.Adam(model.parameters(), lr=LR, foreach=FOREACH)
    angles = torch.arange(MODES, dtype=dtype) * (2 * math.pi / MODES)
    means = torch.stack([RADIUS * torch.cos(angles), RADIUS * torch.sin(angles)], dim=1)
    lo, hi = math.log(SIGMA_MIN), math.log(SIGMA_MAX)
    gen = torch.Generator().manual_seed(2)

    def draw():
        comp = torch.randint(0, MODES, (BATCH,), generator=gen)
        x = means[comp] + STD * torch.randn(BATCH, 2, dtype=dtype, generator=gen)
        sigma = torch.empty(BATCH, 1, dtype=dtype).uniform_(lo, hi, generator=gen).exp_()
        eps = torch.randn(BATCH, 2, dtype=dtype, generator=gen)
        return x, sigma, eps

    if kind == "dsm":
        def step():
            x, sigma, eps = draw()
            s = model(torch.cat([x + sigma * eps, sigma.log()], dim=1))
            loss = (sigma.square().squeeze(1) * (s + eps / sigma).square().sum(1)).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss
    elif kind == "ism":
        def step():
            x, sigma, eps = draw()
            xt = (x + sigma * eps).requires_grad_(True)
            s = model(torch.cat([xt, sigma.log()], dim=1))
            v = torch.randint(0, 2, (BATCH, 2), generator=gen).to(dtype).mul_(2).sub_(1)  # Rademacher
            (vj,) = torch.autograd.grad(s, xt, grad_outputs=v, create_graph=True)  # v^T ds/dx, per row
            loss = (sigma.square().squeeze(1) * (0.5 * s.square().sum(1) + (vj * v).sum(1))).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            return loss
    else:
        raise ValueError(kind)
    return step


def median_rate(step, warmup, rounds, per_round):
    """Median steps/s over rounds, and the mean loss of the last round (kept as tensors, read after timing)."""
    for _ in range(warmup):
        step()
    rates = []
    losses = [None] * per_round
    for _ in range(rounds):
        t0 = time.perf_counter()
        for i in range(per_round):
            losses[i] = step().detach()
        rates.append(per_round / (time.perf_counter() - t0))
    mean_loss = float(torch.stack(losses).mean())
    if not math.isfinite(mean_loss):
        raise RuntimeError("non-finite loss")
    return statistics.median(rates), min(rates), max(rates), mean_loss


def matmul_rate(m, n, k, dtype, warmup_s, rounds, round_s):
    g = torch.Generator().manual_seed(42)
    a = torch.rand(m, k, dtype=dtype, generator=g) - 0.5
    b = torch.rand(k, n, dtype=dtype, generator=g) - 0.5
    c = torch.empty(m, n, dtype=dtype)
    flop = 2.0 * m * n * k
    t_end = time.perf_counter() + warmup_s
    while time.perf_counter() < t_end:
        torch.mm(a, b, out=c)
    rates = []
    for _ in range(rounds):
        calls = 0
        t0 = time.perf_counter()
        t_end = t0 + round_s
        while True:
            torch.mm(a, b, out=c)
            calls += 1
            t = time.perf_counter()
            if t >= t_end:
                break
        rates.append(calls * flop / (t - t0) / 1e9)
    return statistics.median(rates), min(rates), max(rates)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workloads", default="dsm,ism,matmul")
    ap.add_argument("--dtypes", default="f64,f32")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--warmup", type=int, default=500, help="warm-up steps per step workload")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--round-steps", type=int, default=200)
    ap.add_argument("--mm-warmup", type=float, default=2.0, help="matmul warm-up, seconds")
    ap.add_argument("--mm-seconds", type=float, default=1.0, help="matmul round length, seconds")
    a = ap.parse_args()

    dtypes = {"f64": torch.float64, "f32": torch.float32}
    libs, config, core = blas_info()
    parallel = "OpenMP" if "parallel backend: OpenMP" in torch.__config__.parallel_info() else "native"
    print(f"PEER-INFO torch={torch.__version__} python={sys.version.split()[0]} parallel={parallel} "
          f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}", flush=True)
    print(f"PEER-INFO blas_libs={','.join(libs) or 'none-found'}", flush=True)
    print(f"PEER-INFO openblas_config={config!r} openblas_core={core!r}", flush=True)

    torch.set_num_interop_threads(1)
    for wl in a.workloads.split(","):
        for dt in a.dtypes.split(","):
            for nt in (int(t) for t in a.threads.split(",")):
                torch.set_num_threads(nt)
                if wl in ("dsm", "ism"):
                    step = make_step(wl, dtypes[dt])
                    med, lo, hi, loss = median_rate(step, a.warmup, a.rounds, a.round_steps)
                    print(f"PEER {wl} {dt} threads={nt} value={med:.6g} unit=steps/s rounds={a.rounds} "
                          f"min={lo:.6g} max={hi:.6g} last_round_loss={loss:.6g}", flush=True)
                elif wl == "matmul":
                    for (m, n, k) in ((512, 512, 512), (512, 128, 128)):
                        med, lo, hi = matmul_rate(m, n, k, dtypes[dt], a.mm_warmup, a.rounds, a.mm_seconds)
                        print(f"PEER matmul-{m}x{n}x{k} {dt} threads={nt} value={med:.6g} unit=GFLOP/s "
                              f"rounds={a.rounds} min={lo:.6g} max={hi:.6g}", flush=True)
                else:
                    raise SystemExit(f"unknown workload {wl}; expected dsm, ism or matmul")


if __name__ == "__main__":
    main()

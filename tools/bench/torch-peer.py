#!/usr/bin/env python3
"""PyTorch peer of models/backend/engine-bench.ts: the same reference networks and training step,
timed the same way, printed as JSON so `face-age bench --json` can be compared side by side.

  G: reflect-pad 3, conv7 3->32, IN, ReLU; 2 x [conv3 s2 (zero pad 1), IN, ReLU];
     6 x residual [reflect-pad 1, conv3, IN, ReLU, reflect-pad 1, conv3, IN];
     2 x [conv-transpose3 s2, IN, ReLU]; reflect-pad 3, conv7 32->3; tanh.
  D: 70x70 PatchGAN, ndf 64: conv4 s2 + LeakyReLU(0.2); conv4 s2, IN, LReLU (x2); conv4 s1, IN,
     LReLU; conv4 s1 -> 1 (all zero pad 1).
  Step: G update (LSGAN + 10 * L1, Adam 2e-4 / 0.5) with D frozen, then D update on real and the
  detached fake. Batch 1, 128x128. Instance norm without affine parameters, as in models/nn/ops.ts.

Usage: python3 tools/bench/torch-peer.py [--threads 2] [--runs 5] [--warmup 2]
(Debian's python3-torch lives in /usr/bin/python3; a pyenv/venv python3 on PATH may not see it.)
"""
import argparse
import json
import os
import statistics
import time

try:
    import torch
    from torch import nn
except ImportError:  # e.g. a pyenv python3 shadows Debian's, which has python3-torch
    import sys
    sys.exit("torch-peer: PyTorch is not importable by %s; run it with the interpreter that has "
             "python3-torch (Debian: /usr/bin/python3)" % sys.executable)


def generator(ngf=32, n_blocks=6):
    def block(c):
        return nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c))

    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.body = block(c)

        def forward(self, x):
            return x + self.body(x)

    layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), nn.InstanceNorm2d(ngf), nn.ReLU(True)]
    c = ngf
    for _ in range(2):
        layers += [nn.Conv2d(c, c * 2, 3, stride=2, padding=1), nn.InstanceNorm2d(c * 2), nn.ReLU(True)]
        c *= 2
    layers += [Residual(c) for _ in range(n_blocks)]
    for _ in range(2):
        layers += [nn.ConvTranspose2d(c, c // 2, 3, stride=2, padding=1, output_padding=1),
                   nn.InstanceNorm2d(c // 2), nn.ReLU(True)]
        c //= 2
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(c, 3, 7), nn.Tanh()]
    return nn.Sequential(*layers)


def patchgan(ndf=64, n_layers=3):
    layers = [nn.Conv2d(3, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
    c = ndf
    for i in range(1, n_layers + 1):
        out = min(c * 2, ndf * 8)
        stride = 2 if i < n_layers else 1
        layers += [nn.Conv2d(c, out, 4, stride=stride, padding=1), nn.InstanceNorm2d(out), nn.LeakyReLU(0.2, True)]
        c = out
    layers += [nn.Conv2d(c, 1, 4, stride=1, padding=1)]
    return nn.Sequential(*layers)


def timed(n, fn):
    wall, cpu = [], []
    for _ in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu


def stats(wall, cpu):
    r = lambda v: round(v, 1)
    return {"medianMs": r(statistics.median(wall)), "minMs": r(min(wall)), "runsMs": [r(v) for v in wall],
            "cpuMedianMs": r(statistics.median(cpu))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    g, d = generator(), patchgan()
    x = torch.rand(1, 3, 128, 128) * 2 - 1
    y = torch.rand(1, 3, 128, 128) * 2 - 1
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))

    def infer():
        with torch.no_grad():
            g(x).numpy()

    def train_step():
        fake = g(x)
        for p in d.parameters():
            p.requires_grad_(False)
        opt_g.zero_grad()
        loss_g = ((d(fake) - 1) ** 2).mean() + 10 * (fake - y).abs().mean()
        loss_g.backward()
        opt_g.step()
        for p in d.parameters():
            p.requires_grad_(True)
        opt_d.zero_grad()
        loss_d = 0.5 * (((d(y) - 1) ** 2).mean() + (d(fake.detach()) ** 2).mean())
        loss_d.backward()
        opt_d.step()
        return loss_g.item(), loss_d.item()

    timed(args.warmup, infer)
    inference = stats(*timed(args.runs, infer))
    timed(args.warmup, train_step)
    train = stats(*timed(args.runs, train_step))
    print(json.dumps({
        "engine": "torch",
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "workload": {"size": 128, "generator": "resnet ngf32 6 blocks, instance norm, reflect pad",
                     "discriminator": "patchgan 70x70 ndf64", "batch": 1},
        "inference": inference,
        "trainStep": train,
        "loadAverage": [round(v, 2) for v in os.getloadavg()],
    }))


if __name__ == "__main__":
    main()

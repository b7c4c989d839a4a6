#!/usr/bin/env python3
"""
PyTorch yardstick for the DCGAN training step: the same conditional DCGAN as packages/model
(generator.ts, discriminator.ts with concatenated label maps, losses.ts, train-step.ts), the same
batch, the same fused step (one G forward, D on its detached output, then G through the updated
D), Adam 2e-4 / beta1 0.5 / epsilon 1e-7 (TF.js's default), one-sided smoothing (real target 0.9).

Optional: it needs PyTorch (Debian: `apt-get install python3-torch`), which npm never installs.

  python3 packages/model/bench/pytorch-step.py [--threads 2] [--batch 64] [--steps 10] [--warmup 3]
      [--profile] [--json]

Prints the median step time (ms); --json prints one JSON line (the TF.js bench reads it when it
interleaves PyTorch blocks with its own); --profile prints per-operator self CPU time of one step
from torch.profiler, grouped as docs/step-profile.md groups them.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn

LATENT, CLASSES, WIDTH = 100, 10, 128


class Generator(nn.Module):
    """(z [N,100], one-hot [N,10]) -> [N,1,28,28] through 7x7x128 -> 14x14x64 -> 28x28x1."""

    def __init__(self, width=WIDTH):
        super().__init__()
        self.width = width
        self.dense = nn.Linear(LATENT + CLASSES, 49 * width, bias=False)
        # TF.js BatchNormalization on the dense output normalises each of the 49*W features
        self.bn0 = nn.BatchNorm1d(49 * width, eps=1e-5, momentum=0.1)
        self.deconv1 = nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(width // 2, eps=1e-5, momentum=0.1)
        self.deconv2 = nn.ConvTranspose2d(width // 2, 1, 4, 2, 1, bias=True)

    def forward(self, z, label):
        x = torch.relu(self.bn0(self.dense(torch.cat([z, label], 1))))
        x = x.view(-1, 7, 7, self.width).permute(0, 3, 1, 2)  # TF.js reshapes to NHWC
        x = torch.relu(self.bn1(self.deconv1(x)))
        return torch.tanh(self.deconv2(x))


class Discriminator(nn.Module):
    """[N,1,28,28] ++ 10 label maps -> conv 64 -> conv 128 + BN -> dense 1 (a logit)."""

    def __init__(self):
        super().__init__()
        self.conv0 = nn.Conv2d(1 + CLASSES, 64, 4, 2, 1)
        self.conv1 = nn.Conv2d(64, 128, 4, 2, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(128, eps=1e-5, momentum=0.1)
        self.logit = nn.Linear(128 * 7 * 7, 1)

    def forward(self, image, label):
        maps = label[:, :, None, None].expand(-1, -1, 28, 28)
        x = nn.functional.leaky_relu(self.conv0(torch.cat([image, maps], 1)), 0.2)
        x = nn.functional.leaky_relu(self.bn1(self.conv1(x)), 0.2)
        return self.logit(x.flatten(1))


def init(module):
    """DCGAN init as init.ts: kernels N(0, 0.02), BN gamma N(1, 0.02), biases and beta 0."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1, 0.02)
            nn.init.zeros_(m.bias)


def make_step(batch):
    g, d = Generator(), Discriminator()
    init(g)
    init(d)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999), eps=1e-7)
    bce = nn.BCEWithLogitsLoss()
    images = torch.rand(batch, 1, 28, 28) * 2 - 1
    labels = nn.functional.one_hot(torch.randint(0, CLASSES, (batch,)), CLASSES).float()
    real_target = torch.full((batch, 1), 0.9)  # one-sided label smoothing
    zeros, ones = torch.zeros(batch, 1), torch.ones(batch, 1)

    def step():
        z = torch.randn(batch, LATENT)
        fake = g(z, labels)  # one G forward, as train-step.ts
        opt_d.zero_grad(set_to_none=True)
        d_loss = bce(d(images, labels), real_target) + bce(d(fake.detach(), labels), zeros)
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        g_loss = bce(d(fake, labels), ones)
        g_loss.backward()
        opt_g.step()
        return d_loss.item(), g_loss.item()

    return step


# operators -> the rows of the side-by-side table; an operator counts in the group of its
# outermost listed ancestor (so the GEMMs inside a convolution's backward count as convolution)
GROUPS = [
    ("Adam", ("Optimizer.step#",)),
    ("conv backward (input + filter)", ("aten::convolution_backward",)),
    ("conv forward", ("aten::convolution", "aten::_convolution", "aten::mkldnn_convolution",
                      "aten::slow_conv_transpose2d")),
    ("BatchNorm (fwd + bwd)", ("aten::batch_norm", "aten::native_batch_norm",
                               "aten::native_batch_norm_backward")),
    ("matmul (dense layers, fwd + bwd)", ("aten::linear", "aten::addmm", "aten::mm")),
]
OTHER = "other (activations, losses, concat, copies, ...)"


def group_of(event):
    names = []
    while event is not None:
        names.append(event.name)
        event = event.cpu_parent
    for name in reversed(names):  # outermost first
        for label, prefixes in GROUPS:
            if name.startswith(prefixes):
                return label
    return OTHER


def profile(step, steps=3):
    from torch.profiler import ProfilerActivity, profile as torch_profile

    with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            step()
    grouped = {}
    for e in prof.events():
        label = group_of(e)
        grouped[label] = grouped.get(label, 0) + e.self_cpu_time_total / 1000 / steps
    rows = [(e.self_cpu_time_total / 1000 / steps, e.key, e.count // steps)
            for e in prof.key_averages()]
    return grouped, sorted(rows, reverse=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    step = make_step(args.batch)
    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    result = {"torch": torch.__version__, "threads": args.threads, "batch": args.batch,
              "median_ms": statistics.median(times), "times_ms": times}
    if args.profile:
        grouped, rows = profile(step, min(args.steps, 3))
        result["profile_ms"] = grouped
        result["top_ops"] = [{"op": k, "ms": round(ms, 2), "calls": c} for ms, k, c in rows[:25]]
    if args.json:
        print(json.dumps(result))
        return
    print(f"PyTorch {torch.__version__}, {args.threads} threads, batch {args.batch}: "
          f"median {result['median_ms']:.1f} ms, min {min(times):.1f}, max {max(times):.1f} "
          f"over {args.steps} steps")
    if args.profile:
        print("self CPU time per step, ms:")
        for label, ms in sorted(grouped.items(), key=lambda kv: -kv[1]):
            print(f"  {label:40s} {ms:7.1f}")
        print("top operators:")
        for ms, k, c in rows[:25]:
            print(f"  {k:45s} {ms:7.2f} ms ({c} calls)")


if __name__ == "__main__":
    main()

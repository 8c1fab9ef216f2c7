"""Time training steps of the default segsweep U-Net in PyTorch on the CPU.

The network mirrors stages/model/unet.ts with its defaults: 16-32-64-128 filters and a
256-filter bottleneck. Each level runs two 3x3 convolutions, each followed by batch norm and
ReLU. Downsampling is 2x2 max pooling, upsampling a 2x2 stride-2 transposed convolution whose
output is concatenated with the skip features, and a 1x1 convolution gives the class scores. The loss is cross-entropy (softmax included), the optimizer
Adam with learning rate 1e-3, as in bench.ts.

Prints one JSON line: {"torch": version, "threads": n, "results": [{"size", "median_ms",
"all_ms"}]}. Times are wall-clock ms per step (forward, backward, optimizer update).
"""

import argparse
import json
import statistics
import time

import torch
from torch import nn


def conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    layers = []
    for i in range(2):
        layers += [
            nn.Conv2d(in_channels if i == 0 else out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        ]
    return nn.Sequential(*layers)


class UNet(nn.Module):
    def __init__(self, num_classes: int, base_filters: int = 16, depth: int = 4):
        super().__init__()
        filters = [base_filters * 2**level for level in range(depth + 1)]
        self.encoders = nn.ModuleList()
        in_channels = 1
        for level in range(depth):
            self.encoders.append(conv_block(in_channels, filters[level]))
            in_channels = filters[level]
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = conv_block(filters[depth - 1], filters[depth])
        self.upsamplers = nn.ModuleList()
        self.decoders = nn.ModuleList()
        for level in reversed(range(depth)):
            self.upsamplers.append(nn.ConvTranspose2d(filters[level + 1], filters[level], 2, stride=2))
            self.decoders.append(conv_block(2 * filters[level], filters[level]))
        self.output = nn.Conv2d(filters[0], num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for upsample, decoder, skip in zip(self.upsamplers, self.decoders, reversed(skips)):
            x = decoder(torch.cat([upsample(x), skip], dim=1))
        return self.output(x)


def time_steps(size: int, batch: int, num_classes: int, warmup: int, steps: int) -> list[float]:
    torch.manual_seed(0)
    model = UNet(num_classes)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_function = nn.CrossEntropyLoss()
    images = torch.randn(batch, 1, size, size)
    labels = torch.randint(0, num_classes, (batch, size, size))

    times = []
    for i in range(warmup + steps):
        start = time.perf_counter()
        optimizer.zero_grad()
        loss = loss_function(model(images), labels)
        loss.backward()
        optimizer.step()
        loss.item()
        if i >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="64,128", help="comma-separated input sizes in pixels")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--classes", type=int, default=6)
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps before timing")
    parser.add_argument("--steps", type=int, default=5, help="timed steps")
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        times = time_steps(size, args.batch, args.classes, args.warmup, args.steps)
        results.append({"size": size, "median_ms": statistics.median(times), "all_ms": [round(t) for t in times]})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()

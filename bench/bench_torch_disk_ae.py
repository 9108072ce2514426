"""PyTorch reference for `deno task bench --against-torch` (see bench_torch.ts).

The same training step as bench.ts, written the plain PyTorch way: the paper's disk
autoencoder (P-Fig 1 / P-Tab 1; model.ts), per-pixel mean squared error, Adam with the Keras
constants of adam.ts, batch 300 by default. It times blocks of steps (forward, loss, backward,
Adam step, and one read of the loss per block, as bench.ts does) after a warm-up.

Three modes:
  --blocks N (default): times N blocks of --block steps and prints one JSON object;
  --serve: after the warm-up, prints one JSON line (the model and settings), then for each line
    "K" read on stdin runs a block of K steps and prints one JSON line with its times; ends at
    the end of stdin. bench_torch.ts drives it this way, a block of torch after each block of
    ours, so that whatever else loads the machine falls on both alike;
  --forward: reads model.ts's weights (its names, TensorFlow layouts) and images [B, H, W, C]
    as JSON on stdin and prints the reconstruction [B, H, W, C]: the test that both models
    compute the same function (bench_torch_test.ts) uses it.

The model, layer by layer as model.ts builds it:
  encoder: six 3x3 stride-2 convolutions, depths 1, 8, 4, 4, 3, 2, 1, 64x64 down to 1x1;
  decoder: six 3x3 stride-2 transposed convolutions, depths 1, 2, 3, 4, 4, 8, 1, 1x1 up to 64x64;
  a bias and a leaky ReLU (slope 0.2) after every layer, the code and the output included.
That is 706 + 706 = 1,412 parameters.

Padding is TensorFlow's "same", which PyTorch has no flag for at stride 2: on an even size n
with a 3x3 kernel it puts one zero row and column after the signal and none before, so each
convolution pads (0, 1, 0, 1) explicitly and then runs unpadded. The transposed convolution
that is its adjoint is the full one (2n + 1 samples) cut to its first 2n.

Weights are Glorot-uniform with zero biases, as model.ts draws them (other values; timing
does not depend on them). Data: two fixed batches of random disks taken in turn, as bench.ts
does, but drawn here with a one-pixel linear edge instead of the exact blur of disks.ts:
radii uniform in [0, 32), centred on the image. The values do not change the work a step does.

Usage: python3 bench_torch_disk_ae.py [--threads 1] [--blocks 10 | --serve | --forward]
       [--block 1] [--warmup 3] [--batch 300] [--seed 1]
"""

import argparse
import json
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SIZE = 64
KERNEL = 3
STRIDE = 2
ENCODER_DEPTHS = [1, 8, 4, 4, 3, 2, 1]
DECODER_DEPTHS = [1, 2, 3, 4, 4, 8, 1]
ALPHA = 0.2
# adam.ts's KERAS_ADAM. PyTorch adds epsilon after the bias correction of the second moment
# and Keras before it: the same work per step, slightly different values.
LEARNING_RATE = 1e-3
BETAS = (0.9, 0.999)
EPSILON = 1e-7


def encoder_layer(conv, h):
    """A convolution with TensorFlow's "same" padding at stride 2: (0, 1, 0, 1), then none."""
    return conv(F.pad(h, (0, 1, 0, 1)))


def decoder_layer(convt, h):
    """Its adjoint: the full transposed convolution (2n + 1 samples) cut to its first 2n."""
    n = h.shape[-1]
    return convt(h)[:, :, : STRIDE * n, : STRIDE * n]


class DiskAutoencoder(nn.Module):
    """The disk autoencoder of model.ts's diskAutoencoderConfig(), in NCHW."""

    def __init__(self):
        super().__init__()
        self.encoder = nn.ModuleList(
            nn.Conv2d(a, b, KERNEL, stride=STRIDE, padding=0, bias=True)
            for a, b in zip(ENCODER_DEPTHS, ENCODER_DEPTHS[1:])
        )
        self.decoder = nn.ModuleList(
            nn.ConvTranspose2d(a, b, KERNEL, stride=STRIDE, padding=0, bias=True)
            for a, b in zip(DECODER_DEPTHS, DECODER_DEPTHS[1:])
        )
        for layer in [*self.encoder, *self.decoder]:
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):
        h = x
        for conv in self.encoder:
            h = F.leaky_relu(encoder_layer(conv, h), ALPHA)
        for convt in self.decoder:
            h = F.leaky_relu(decoder_layer(convt, h), ALPHA)
        return h

    def load_model_ts_weights(self, weights):
        """Copies model.ts's weights, by name ({"encoder_0_kernel": {"shape", "data"}, ...}).

        Its kernels are in TensorFlow's layouts, [kh, kw, in, out] in the encoder and
        [kh, kw, out, in] in the decoder; one transposition turns both into PyTorch's,
        [out, in, kh, kw] for Conv2d and [in, out, kh, kw] for ConvTranspose2d.
        """
        def tensor(name):
            w = weights[name]
            return torch.tensor(w["data"], dtype=torch.float32).reshape(w["shape"])

        with torch.no_grad():
            for part, layers in (("encoder", self.encoder), ("decoder", self.decoder)):
                for i, layer in enumerate(layers):
                    layer.weight.copy_(tensor(f"{part}_{i}_kernel").permute(3, 2, 0, 1))
                    layer.bias.copy_(tensor(f"{part}_{i}_bias"))

    def describe(self):
        """Per layer: input and output shapes [h, w, c] (model.ts's order) and parameters."""
        rows = []
        h = torch.zeros(1, 1, SIZE, SIZE)
        with torch.no_grad():
            for part, layers in (("encoder", self.encoder), ("decoder", self.decoder)):
                if part == "decoder":
                    h = h.reshape(1, DECODER_DEPTHS[0], 1, 1)
                for layer in layers:
                    out = (encoder_layer if part == "encoder" else decoder_layer)(layer, h)
                    rows.append({
                        "part": part,
                        "inShape": [h.shape[2], h.shape[3], h.shape[1]],
                        "outShape": [out.shape[2], out.shape[3], out.shape[1]],
                        "params": sum(p.numel() for p in layer.parameters()),
                    })
                    h = out
        return rows


def random_disks(count, generator):
    """`count` disks [count, 1, 64, 64] in [0, 1], radii uniform in [0, 32), centred."""
    centre = (SIZE - 1) / 2
    ys, xs = torch.meshgrid(torch.arange(SIZE), torch.arange(SIZE), indexing="ij")
    dist = torch.sqrt((ys - centre) ** 2 + (xs - centre) ** 2)
    radii = torch.rand(count, 1, 1, 1, generator=generator) * (SIZE / 2)
    return torch.clamp(radii - dist + 0.5, 0.0, 1.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--blocks", type=int, default=10, help="timed blocks")
    parser.add_argument("--serve", action="store_true", help="time blocks asked for on stdin")
    parser.add_argument("--forward", action="store_true", help="run given weights on stdin")
    parser.add_argument("--block", type=int, default=1, help="steps per timed block")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--batch", type=int, default=300, help="images per step")
    parser.add_argument("--seed", type=int, default=1, help="seed of weights and data")
    args = parser.parse_args()
    for name in ("threads", "blocks", "block", "batch"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    if args.warmup < 0:
        parser.error("--warmup must be at least 0")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model = DiskAutoencoder()
    if args.forward:
        request = json.load(sys.stdin)
        model.load_model_ts_weights(request["weights"])
        x = torch.tensor(request["x"]["data"], dtype=torch.float32).reshape(request["x"]["shape"])
        with torch.no_grad():
            y = model(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        print(json.dumps({"shape": list(y.shape), "data": y.reshape(-1).tolist()}))
        return
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE, betas=BETAS, eps=EPSILON)
    generator = torch.Generator().manual_seed(args.seed)
    batches = random_disks(2 * args.batch, generator).split(args.batch)

    step_count = 0

    def steps(n):
        """`n` training steps on the batches in turn, then one read of the last loss."""
        nonlocal step_count
        loss = None
        for _ in range(n):
            x = batches[step_count % len(batches)]
            step_count += 1
            optimiser.zero_grad(set_to_none=True)
            loss = F.mse_loss(model(x), x)
            loss.backward()
            optimiser.step()
        return loss.item()

    def timed_block(n):
        """Wall and CPU (process time: all threads) ms per step of `n` steps, and the loss."""
        c0, t0 = time.process_time(), time.perf_counter()
        loss = steps(n)
        return ((time.perf_counter() - t0) * 1000 / n, (time.process_time() - c0) * 1000 / n,
                loss)

    if args.warmup > 0:
        steps(args.warmup)
    settings = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "batch": args.batch,
        "warmup": args.warmup,
        "params": sum(p.numel() for p in model.parameters()),
        "layers": model.describe(),
    }

    if args.serve:
        print(json.dumps(settings), flush=True)
        # readline, not iteration: a line must be answered before the next one is written.
        while line := sys.stdin.readline():
            ms, cpu_ms, loss = timed_block(int(line))
            print(json.dumps({"ms": ms, "cpuMs": cpu_ms, "loss": loss}), flush=True)
        return

    blocks_ms, cpu_blocks_ms = [], []
    last_loss = float("nan")
    for _ in range(args.blocks):
        ms, cpu_ms, last_loss = timed_block(args.block)
        blocks_ms.append(ms)
        cpu_blocks_ms.append(cpu_ms)
    print(json.dumps({
        **settings,
        "block": args.block,
        "stepsMs": blocks_ms,
        "cpuStepsMs": cpu_blocks_ms,
        "lastLoss": last_loss,
    }))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The PyTorch peer of Mekong's pretrain model, for scripts/gpu-bench.sh.

Same architecture as pretrain/src/model.rs (Llama-style: RMSNorm, rotary embeddings in the
rotate-half layout, fused QKV projection, causal scaled-dot-product attention, SwiGLU MLP, no
biases, tied embeddings), same optimizer settings (AdamW β=(0.9, 0.95), eps 1e-8, weight decay 0.1,
global-norm clipping at 1.0) and bf16 autocast. Trains on the same token stream for a fixed number
of steps and prints one JSON line: tokens/s (median over steps after warm-up), MFU and peak memory.
"""

import argparse
import json
import math
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # name: (d_model, n_layers, n_heads, d_ff, max_seq_len), as in model.rs
    "tiny": (64, 2, 4, 176, 128),
    "mini": (256, 4, 4, 688, 256),
    "small": (512, 8, 8, 1376, 512),
    "medium": (640, 10, 10, 1728, 1024),
    "base": (768, 12, 12, 2048, 1024),
}


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.gamma = nn.Parameter(torch.ones(d))

    def forward(self, x):
        rms = x.float().pow(2).mean(-1, keepdim=True).add(self.eps).sqrt()
        return (x / rms.to(x.dtype)) * self.gamma


def rope_tables(max_seq_len, head_dim, theta=10000.0, device=None):
    half = head_dim // 2
    freq = theta ** (-2.0 * torch.arange(half, dtype=torch.float64) / head_dim)
    angles = torch.arange(max_seq_len, dtype=torch.float64)[:, None] * freq[None, :]
    angles = torch.cat([angles, angles], dim=-1)
    return angles.cos().float().to(device), angles.sin().float().to(device)


def rotate(x, cos, sin):
    half = x.shape[-1] // 2
    rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos.to(x.dtype) + rotated * sin.to(x.dtype)


class Block(nn.Module):
    def __init__(self, d, heads, d_ff, eps):
        super().__init__()
        self.heads = heads
        self.attention_norm = RMSNorm(d, eps)
        self.qkv = nn.Linear(d, 3 * d, bias=False)
        self.attention_out = nn.Linear(d, d, bias=False)
        self.mlp_norm = RMSNorm(d, eps)
        self.gate = nn.Linear(d, d_ff, bias=False)
        self.up = nn.Linear(d, d_ff, bias=False)
        self.mlp_out = nn.Linear(d_ff, d, bias=False)

    def forward(self, x, cos, sin):
        b, t, d = x.shape
        hd = d // self.heads
        qkv = self.qkv(self.attention_norm(x)).view(b, t, 3, self.heads, hd).permute(2, 0, 3, 1, 4)
        q, k, v = rotate(qkv[0], cos, sin), rotate(qkv[1], cos, sin), qkv[2]
        context = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.attention_out(context.transpose(1, 2).reshape(b, t, d))
        h = self.mlp_norm(x)
        return x + self.mlp_out(F.silu(self.gate(h)) * self.up(h))


class GPT(nn.Module):
    def __init__(self, vocab, d, layers, heads, d_ff, max_seq_len, eps=1e-5):
        super().__init__()
        self.embedding = nn.Embedding(vocab, d)
        self.blocks = nn.ModuleList(Block(d, heads, d_ff, eps) for _ in range(layers))
        self.norm = RMSNorm(d, eps)
        cos, sin = rope_tables(max_seq_len, d // heads)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("attention_out.weight", "mlp_out.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens):
        t = tokens.shape[1]
        x = self.embedding(tokens)
        cos, sin = self.cos[:t], self.sin[:t]
        for block in self.blocks:
            x = block(x, cos, sin)
        return self.norm(x) @ self.embedding.weight.t()


def flops_per_token(vocab, d, layers, d_ff, seq_len):
    """The same estimate as ModelConfig::flops_per_token (forward; training is 3x)."""
    matmul_params = layers * (4 * d * d + 3 * d * d_ff) + d * vocab
    return 2 * matmul_params + 2 * layers * seq_len * d


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", required=True, help="a Mekong tokens/train/<lang>.tokens file (u16)")
    parser.add_argument("--vocab", type=int, required=True)
    parser.add_argument("--preset", default="base")
    parser.add_argument("--seq-len", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup-measure", type=int, default=10, help="steps left out of the timing")
    parser.add_argument("--lr", type=float, default=6e-4)
    parser.add_argument("--peak-tflops", type=float, default=989.0)
    parser.add_argument("--compile", action="store_true", help="torch.compile the model")
    parser.add_argument("--dtype", default="bf16", choices=["bf16", "f32"])
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.backends.cuda.matmul.allow_tf32 = True
    device = torch.device(args.device)
    cuda = args.device == "cuda"
    d, layers, heads, d_ff, max_seq_len = PRESETS[args.preset]
    model = GPT(args.vocab, d, layers, heads, d_ff, max_seq_len).to(device)
    params = sum(p.numel() for p in model.parameters())
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), eps=1e-8,
                                  weight_decay=0.1, fused=cuda)
    step_model = torch.compile(model) if args.compile else model
    data = np.memmap(args.tokens, dtype=np.uint16, mode="r")
    rng = np.random.default_rng(0)
    window = args.seq_len + 1
    autocast = torch.autocast(args.device, dtype=torch.bfloat16, enabled=args.dtype == "bf16")
    sync = torch.cuda.synchronize if cuda else (lambda: None)

    if cuda:
        torch.cuda.reset_peak_memory_stats()
    tokens_per_step = args.batch_size * args.seq_len
    rates, losses = [], []
    for step in range(args.steps):
        starts = rng.integers(0, len(data) - window, args.batch_size)
        batch = torch.from_numpy(np.stack([data[s:s + window].astype(np.int64) for s in starts])).to(device)
        sync()
        began = time.perf_counter()
        with autocast:
            logits = step_model(batch[:, :-1])
        loss = F.cross_entropy(logits.float().reshape(-1, args.vocab), batch[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())  # synchronises, like Mekong's per-step loss read-back
        elapsed = time.perf_counter() - began
        if step >= args.warmup_measure:
            rates.append(tokens_per_step / elapsed)
    tokens_per_sec = statistics.median(rates)
    mfu = 3 * flops_per_token(args.vocab, d, layers, d_ff, args.seq_len) * tokens_per_sec / (args.peak_tflops * 1e12)
    print(json.dumps({
        "impl": "pytorch" + ("-compile" if args.compile else ""),
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name() if cuda else f"cpu ({torch.get_num_threads()} threads)",
        "params": params,
        "tokens_per_sec": tokens_per_sec,
        "mfu": mfu,
        "peak_mem_gib": torch.cuda.max_memory_allocated() / 2**30 if cuda else None,
        "first_loss": losses[0],
        "last_loss": losses[-1],
    }))


if __name__ == "__main__":
    main()

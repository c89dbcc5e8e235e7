"""Data-parallel training with ember over MPI: the torch DistributedDataParallel recipe, unchanged.

    python -m ember.distributed.run -n 2 examples/ddp.py          # 2 processes, each on half of every batch
    python examples/ddp.py                                        # the same script alone (world size 1)
    python -m ember.distributed.run -n 2 examples/ddp.py --resume # continue from the last checkpoint

Each rank reads its own shard of the digits (DistributedSampler), DDP averages the gradients during
backward, and every rank ends each step with identical parameters. Rank 0 writes the checkpoint (atomically);
the others wait at a barrier. Data: the UCI optical-recognition digits in examples/data (CC BY 4.0).
"""
from __future__ import annotations

import argparse
import os
from dataclasses import dataclass

import numpy as np

import ember as torch
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP
from ember.utils.data import DataLoader, DistributedSampler, TensorDataset

HERE = os.path.dirname(os.path.abspath(__file__))


@dataclass
class Config:
    hidden: int = 128
    batch_size: int = 64          # global batch: each of the N ranks takes batch_size / N
    lr: float = 0.05
    epochs: int = 4
    seed: int = 0


class MLP(nn.Module):
    def __init__(self, cfg: Config):
        super().__init__()
        self.fc1 = nn.Linear(64, cfg.hidden)
        self.fc2 = nn.Linear(cfg.hidden, cfg.hidden)
        self.head = nn.Linear(cfg.hidden, 10)

    def forward(self, x):                       # x: (B, 8, 8)
        x = x.flatten(1)                        # (B, 64)
        x = torch.relu(self.fc1(x))             # (B, hidden)
        x = torch.relu(self.fc2(x))             # (B, hidden)
        return self.head(x)                     # (B, 10) logits


def load_digits():
    data = np.load(os.path.join(HERE, "data", "digits.npz"))
    images = torch.tensor(data["images"].astype(np.float32) / 16.0)    # (1797, 8, 8) in [0, 1]
    labels = torch.tensor(data["labels"].astype(np.int64))             # (1797,)
    return TensorDataset(images, labels)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=Config.epochs)
    p.add_argument("--checkpoint", default=os.path.join(HERE, "out", "ddp.pth"))
    p.add_argument("--resume", action="store_true")
    args = p.parse_args(argv)
    cfg = Config(epochs=args.epochs)

    dist.init_process_group("mpi")              # MPI when launched by mpiexec; a world of one otherwise
    rank, world = dist.get_rank(), dist.get_world_size()
    torch.manual_seed(cfg.seed)
    model = DDP(MLP(cfg))                       # rank 0's initial weights are broadcast to every rank
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=0.9)
    start_epoch = 0
    if args.resume and os.path.exists(args.checkpoint):
        state = torch.load(args.checkpoint)     # every rank reads the same file
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optim"])
        start_epoch = state["epoch"] + 1

    dataset = load_digits()
    sampler = DistributedSampler(dataset, seed=cfg.seed)          # rank and world size from the process group
    loader = DataLoader(dataset, batch_size=cfg.batch_size // world, sampler=sampler)
    for epoch in range(start_epoch, start_epoch + cfg.epochs):
        sampler.set_epoch(epoch)                # a new shuffle each epoch, the same on every rank
        total = torch.zeros(2)                  # (summed loss, samples) on this rank
        for images, labels in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(images), labels)
            loss.backward()                     # gradients are averaged across ranks during backward
            opt.step()
            total += torch.tensor([loss.item() * len(labels), len(labels)])
        dist.all_reduce(total)                  # the epoch's loss over all ranks
        if rank == 0:
            print(f"epoch {epoch}: loss {total[0].item() / total[1].item():.4f} on {world} rank(s)", flush=True)
            os.makedirs(os.path.dirname(os.path.abspath(args.checkpoint)), exist_ok=True)
            torch.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": epoch}, args.checkpoint)
        dist.barrier()                          # nobody reads the checkpoint before rank 0 has written it

    checksum = float(sum(p.detach().double().sum().item() for p in model.parameters()))
    sums = [None] * world
    dist.all_gather_object(sums, checksum)
    assert len(set(sums)) == 1, f"replicas diverged: {sums}"
    if rank == 0:
        print(f"done: parameters identical on all {world} rank(s), checksum {checksum:.6f}", flush=True)
    dist.destroy_process_group()


if __name__ == "__main__":
    main()

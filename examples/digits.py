"""Train a small CNN on handwritten digits with ember: the PyTorch workflow from start to finish.

    python examples/digits.py            # about half a minute on 2 cores
    python examples/digits.py --torch    # the same program on real PyTorch, for comparison

Data: the UCI optical-recognition digits (8x8 images, 1,797 samples; CC BY 4.0), shipped in examples/data.
Outputs (written to --out, default examples/out): the best checkpoint (.pth, loadable by real torch), the
fine-tuned checkpoint, and a PNG with the training curves and the test confusion matrix.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--finetune-epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=os.path.join(HERE, "out"))
    p.add_argument("--quick", action="store_true", help="a short run (used by the test suite)")
    p.add_argument("--torch", action="store_true", help="run on real PyTorch instead of ember")
    p.add_argument("--no-plot", action="store_true")
    return p.parse_args(argv)


def build_model(nn):
    """The CNN, built from whichever ``nn`` namespace is passed (ember's or torch's)."""

    class DigitsCNN(nn.Module):
        def __init__(self, n_classes=10):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 16, kernel_size=3, padding=1),   # (B, 16, 8, 8)
                nn.BatchNorm2d(16),
                nn.ReLU(),
                nn.MaxPool2d(2),                              # (B, 16, 4, 4)
                nn.Conv2d(16, 32, kernel_size=3, padding=1),  # (B, 32, 4, 4)
                nn.BatchNorm2d(32),
                nn.ReLU(),
                nn.MaxPool2d(2),                              # (B, 32, 2, 2)
            )
            self.classifier = nn.Sequential(
                nn.Flatten(),                                 # (B, 128)
                nn.Dropout(0.25),
                nn.Linear(32 * 2 * 2, 64),
                nn.ReLU(),
                nn.Linear(64, n_classes),                     # (B, 10)
            )

        def forward(self, x):
            return self.classifier(self.features(x))

    return DigitsCNN()


def load_digits(torch):
    data = np.load(os.path.join(HERE, "data", "digits.npz"))
    images = data["images"].astype(np.float32)[:, None] / 16.0     # (N, 1, 8, 8) in [0, 1]
    images = (images - images.mean()) / images.std()
    labels = data["labels"].astype(np.int64)
    return torch.utils.data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))


def weights_init(torch):
    nn = torch.nn

    def init(m):
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return init


def progress(iterable, desc, enabled=True):
    if not enabled:
        return iterable
    try:
        from tqdm import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, desc=desc, leave=False, ncols=90, file=sys.stdout)


def run_epoch(torch, model, loader, loss_fn, optimizer=None, desc="", show=True):
    """One pass over ``loader``; trains when an optimizer is given. Returns (mean loss, accuracy)."""
    training = optimizer is not None
    model.train(training)
    total_loss, correct, seen = 0.0, 0, 0
    bar = progress(loader, desc, show)
    with torch.set_grad_enabled(training):
        for x, y in bar:
            logits = model(x)                                   # (B, 10)
            loss = loss_fn(logits, y)
            if training:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(dim=1) == y).sum().item()
            seen += len(y)
            if hasattr(bar, "set_postfix"):
                bar.set_postfix(loss=f"{total_loss / seen:.3f}", acc=f"{correct / seen:.3f}")
    return total_loss / seen, correct / seen


def predict(torch, model, loader):
    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for x, y in loader:
            preds.append(model(x).argmax(dim=1).numpy())
            targets.append(y.numpy())
    return np.concatenate(preds), np.concatenate(targets)


def save_plot(path, history, confusion):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    epochs = range(1, len(history["train_loss"]) + 1)
    axes[0].plot(epochs, history["train_loss"], label="train")
    axes[0].plot(epochs, history["val_loss"], label="validation")
    axes[0].set_title("loss")
    axes[0].set_xlabel("epoch")
    axes[0].legend()
    axes[1].plot(epochs, history["train_acc"], label="train")
    axes[1].plot(epochs, history["val_acc"], label="validation")
    axes[1].set_title("accuracy")
    axes[1].set_xlabel("epoch")
    axes[1].legend()
    im = axes[2].imshow(confusion, cmap="Blues")
    axes[2].set_title("test confusion matrix")
    axes[2].set_xlabel("predicted")
    axes[2].set_ylabel("true")
    axes[2].set_xticks(range(10))
    axes[2].set_yticks(range(10))
    for i in range(10):
        for j in range(10):
            if confusion[i, j]:
                axes[2].text(j, i, int(confusion[i, j]), ha="center", va="center", fontsize=7,
                             color="white" if confusion[i, j] > confusion.max() / 2 else "black")
    fig.colorbar(im, ax=axes[2])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def main(argv=None):
    args = parse_args(argv)
    if args.torch:
        import torch
    else:
        import ember as torch
    if args.quick:
        args.epochs, args.finetune_epochs = 4, 1
    os.makedirs(args.out, exist_ok=True)
    show = sys.stdout.isatty()
    torch.manual_seed(args.seed)
    start = time.perf_counter()

    # ---- data: train / validation / test split, loaders ------------------------------------------------
    dataset = load_digits(torch)
    n = len(dataset)
    n_val, n_test = int(0.15 * n), int(0.15 * n)
    split = torch.Generator().manual_seed(args.seed)
    train_set, val_set, test_set = torch.utils.data.random_split(dataset, [n - n_val - n_test, n_val, n_test],
                                                                 generator=split)
    DataLoader = torch.utils.data.DataLoader
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              generator=torch.Generator().manual_seed(args.seed))
    val_loader = DataLoader(val_set, batch_size=256)
    test_loader = DataLoader(test_set, batch_size=256)
    print(f"digits: {len(train_set)} train, {len(val_set)} validation, {len(test_set)} test images (8x8)")

    # ---- model ---------------------------------------------------------------------------------------------
    model = build_model(torch.nn)
    model.apply(weights_init(torch))
    if not args.torch:
        print(torch.utils.summary(model, input_size=(1, 1, 8, 8)))
    else:
        print(model)

    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.05)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr * 3, epochs=args.epochs,
                                                    steps_per_epoch=len(train_loader))

    class PerBatch:  # OneCycleLR steps every batch: wrap the optimizer so run_epoch stays generic
        def __init__(self, opt, sched):
            self.opt, self.sched = opt, sched

        def zero_grad(self):
            self.opt.zero_grad()

        def step(self):
            self.opt.step()
            self.sched.step()

    # ---- train, keeping the best state_dict by validation accuracy ---------------------------------------
    best_path = os.path.join(args.out, "digits_best.pth")
    history = {"train_loss": [], "val_loss": [], "train_acc": [], "val_acc": []}
    best_acc = -1.0
    for epoch in range(1, args.epochs + 1):
        tl, ta = run_epoch(torch, model, train_loader, loss_fn, PerBatch(optimizer, scheduler),
                           f"epoch {epoch}/{args.epochs}", show)
        vl, va = run_epoch(torch, model, val_loader, loss_fn, None, "validate", show)
        for k, v in zip(history, (tl, vl, ta, va)):
            history[k].append(v)
        mark = ""
        if va > best_acc:
            best_acc = va
            torch.save(model.state_dict(), best_path)
            mark = "  (best, saved)"
        print(f"epoch {epoch:2d}  train loss {tl:.4f} acc {ta:.3f}  val loss {vl:.4f} acc {va:.3f}  "
              f"lr {scheduler.get_last_lr()[0]:.2e}{mark}")

    # ---- reload the best checkpoint into a fresh model -----------------------------------------------------
    model = build_model(torch.nn)
    model.load_state_dict(torch.load(best_path))
    _, test_acc = run_epoch(torch, model, test_loader, loss_fn, None, "test", show)
    print(f"best checkpoint (val acc {best_acc:.3f}) reloaded: test accuracy {test_acc:.4f}")

    # ---- freeze the convolutional layers by name and fine-tune the head ------------------------------------
    frozen = []
    for name, param in model.named_parameters():
        if name.startswith("features."):
            param.requires_grad = False
            frozen.append(name)
    print(f"frozen {len(frozen)} tensors ({', '.join(frozen[:3])}, ...); fine-tuning the classifier")
    head_opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-2, momentum=0.9)
    frozen_before = {k: v.detach().clone() for k, v in model.features.named_parameters()}
    for epoch in range(1, args.finetune_epochs + 1):
        tl, ta = run_epoch(torch, model, train_loader, loss_fn, head_opt, f"fine-tune {epoch}", show)
        vl, va = run_epoch(torch, model, val_loader, loss_fn, None, "validate", show)
        print(f"fine-tune {epoch}  train loss {tl:.4f} acc {ta:.3f}  val loss {vl:.4f} acc {va:.3f}")
    unchanged = all(bool((frozen_before[k] == v).all()) for k, v in model.features.named_parameters())
    print(f"frozen parameters unchanged by fine-tuning: {unchanged}")
    final_path = os.path.join(args.out, "digits_finetuned.pth")
    torch.save(model.state_dict(), final_path)

    # ---- final evaluation ----------------------------------------------------------------------------------
    preds, targets = predict(torch, model, test_loader)
    test_acc = float((preds == targets).mean())
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (targets, preds), 1)
    print(f"final test accuracy: {test_acc:.4f} ({int((preds == targets).sum())}/{len(targets)})")
    plot = None if args.no_plot else save_plot(os.path.join(args.out, "digits_training.png"), history, confusion)
    print(f"outputs: {best_path}\n         {final_path}" + (f"\n         {plot}" if plot else ""))
    print(f"done in {time.perf_counter() - start:.1f} s")
    return {"test_acc": test_acc, "best_path": best_path, "final_path": final_path, "preds": preds,
            "unchanged": unchanged}


if __name__ == "__main__":
    main()

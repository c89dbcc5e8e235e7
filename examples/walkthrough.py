"""A guided tour of nn.Module with ember: each section runs real code and explains what happened.

    python examples/walkthrough.py
"""
from __future__ import annotations

import io
import warnings

import ember as torch
import ember.nn as nn
import ember.nn.functional as F


def section(title):
    print(f"\n=== {title} " + "=" * max(0, 70 - len(title)))


class CustomNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, kernel_size=3, padding=1)   # registered: a Module assigned to self
        self.bn = nn.BatchNorm2d(4)
        self.drop = nn.Dropout(0.5)
        self.fc = nn.Linear(4 * 4 * 4, 10)
        self.scale = nn.Parameter(torch.ones(1))                 # registered: a Parameter assigned to self
        self.register_buffer("steps", torch.zeros((), dtype=torch.long))

    def forward(self, x):                                        # x: (B, 1, 4, 4)
        x = F.relu(self.bn(self.conv(x)))                        # (B, 4, 4, 4)
        x = self.drop(x.flatten(1))                              # (B, 64)
        return self.fc(x) * self.scale                           # (B, 10)


def main():
    torch.manual_seed(0)
    model = CustomNet()

    section("1. Registration by attribute assignment")
    print(model)
    print("parameters :", [name for name, _ in model.named_parameters()])
    print("buffers    :", [name for name, _ in model.named_buffers()])
    print("modules    :", [name or "(root)" for name, _ in model.named_modules()])
    print("parameters() is a generator; first:", tuple(next(model.parameters()).shape))
    print("total trainable parameters:", sum(p.numel() for p in model.parameters() if p.requires_grad))

    section("2. model(x) runs hooks; model.forward(x) does not")
    calls = []
    pre = model.register_forward_pre_hook(lambda m, args: calls.append("pre-hook"))
    post = model.register_forward_hook(lambda m, args, out: calls.append(f"hook saw {tuple(out.shape)}"))
    x = torch.randn(2, 1, 4, 4)
    model(x)
    print("model(x)         ->", calls)
    calls.clear()
    model.forward(x)
    print("model.forward(x) ->", calls or "no hooks ran")
    pre.remove()
    post.remove()

    section("3. The dynamic graph and backward()")
    out = model(x)
    loss = out.pow(2).mean()
    print("loss:", loss, "| grad_fn chain:", loss.grad_fn.name(), "<-", loss.grad_fn.next_functions[0][0].name())
    loss.backward()
    print("conv.weight.grad shape:", tuple(model.conv.weight.grad.shape), "| norm:",
          f"{model.conv.weight.grad.norm().item():.4f}")
    grads = []
    model.fc.register_full_backward_hook(lambda m, gin, gout: grads.append(tuple(gout[0].shape)))
    model(x).sum().backward()
    print("full backward hook on fc saw grad_output of shape", grads[0])

    section("4. state_dict: what gets saved")
    sd = model.state_dict()
    print("keys:", list(sd.keys()))
    print("values are detached and share memory with the parameters:",
          sd["fc.bias"].data_ptr() == model.fc.bias.data_ptr())
    buf = io.BytesIO()
    torch.save(sd, buf)
    buf.seek(0)
    fresh = CustomNet()
    print("load_state_dict ->", fresh.load_state_dict(torch.load(buf)))
    try:
        fresh.load_state_dict({"fc.weight": torch.zeros(3, 3)})
    except RuntimeError as exc:
        print("a wrong checkpoint fails loudly:\n  " + str(exc).replace("\n", "\n  "))

    section("5. train() / eval(): Dropout and BatchNorm change behaviour")
    model.train()
    a, b = model(x), model(x)
    print("training mode, same input twice, equal outputs?", bool((a == b).all()))
    model.eval()
    with torch.no_grad():
        a, b = model(x), model(x)
    print("eval mode,     same input twice, equal outputs?", bool((a == b).all()))
    print("bn.training:", model.bn.training, "| running_mean[:2]:", model.bn.running_mean[:2].tolist())

    section("6. to(): conversion in place, parameters keep their identity")
    w = model.fc.weight
    model.to(torch.float64)
    print("dtype now:", model.fc.weight.dtype, "| same Parameter object:", model.fc.weight is w,
          "| integer buffer kept:", model.steps.dtype)
    model.to(torch.float32)

    section("7. nn.init with apply(): children first, then the module itself")
    order = []

    def weights_init(m):
        order.append(type(m).__name__)
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    model.apply(weights_init)
    print("apply visited:", order)
    print("conv bias after zeros_:", model.conv.bias.tolist())

    section("8. Freezing by name")
    model.zero_grad()                           # set_to_none=True: every .grad back to None
    for name, p in model.named_parameters():
        if "conv" in name:
            p.requires_grad = False
    print("trainable:", [n for n, p in model.named_parameters() if p.requires_grad])
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    before = model.conv.weight.clone()
    model.train()
    opt.zero_grad()
    model(x).sum().backward()
    opt.step()
    print("conv weight unchanged after a step:", bool((model.conv.weight == before).all()),
          "| its grad stays", model.conv.weight.grad)

    section("9. Replacing layers: through the parent, not a loop variable")
    net = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU())
    for layer in net:
        if isinstance(layer, nn.ReLU):
            layer = nn.LeakyReLU(0.1)          # only rebinds the local name: the model is unchanged
    print("after the loop that rebinds a local name:", [type(m).__name__ for m in net])
    for name, child in net.named_children():
        if isinstance(child, nn.ReLU):
            setattr(net, name, nn.LeakyReLU(0.1))
    print("after setattr on the parent:           ", [type(m).__name__ for m in net])

    section("10. Pitfall: a plain Python list of layers is not registered")

    class ListNet(nn.Module):
        def __init__(self, use_module_list):
            super().__init__()
            layers = [nn.Linear(4, 4) for _ in range(3)]
            self.layers = nn.ModuleList(layers) if use_module_list else layers

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x
    print("plain list  : parameters =", len(list(ListNet(False).parameters())), "(forward still runs)")
    print("ModuleList  : parameters =", len(list(ListNet(True).parameters())))

    section("11. Pitfall: forgetting super().__init__()")

    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)
    try:
        Broken()
    except AttributeError as exc:
        print("AttributeError:", exc)

    section("12. Pitfall: a tensor is not a parameter")

    class Plain(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.ones(2)                 # a plain attribute: not in parameters() or state_dict()
    print("parameters:", list(Plain().parameters()), "| state_dict keys:", list(Plain().state_dict().keys()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            m = nn.Linear(2, 2)
            m.weight = torch.ones(2, 2)
        except TypeError as exc:
            print("TypeError:", exc)
    print("\nThe walkthrough ran to the end.")


if __name__ == "__main__":
    main()

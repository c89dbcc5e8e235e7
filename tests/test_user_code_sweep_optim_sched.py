"""Sweep of learning-rate scheduler, swa_utils and further optimizer user code, run as source snippets under
``import torch`` and under ``import ember as torch`` (the harness and ``PRELUDE`` of test_user_code_sweep_optim.py).
"""
import pytest

from test_user_code_sweep_optim import PRELUDE, check  # noqa: F401 - the shared snippet harness


SCHED_PRELUDE = """
lrs = torch.optim.lr_scheduler
w = torch.zeros(2, requires_grad=True)
def run(make_sched, epochs=30, opt_cls=torch.optim.SGD, **opt_kw):
    opt = opt_cls([w], **({'lr': 0.1} | opt_kw))
    s = make_sched(opt)
    out = []
    for e in range(epochs):
        opt.step()
        s.step()
        out.append(s.get_last_lr()[0])
    return out
"""


def _sched_snippet(ctor, epochs=30, **opt_kw):
    kw = ", ".join(f"{k}={v}" for k, v in opt_kw.items())
    return SCHED_PRELUDE + f"""
vals = run(lambda opt: {ctor}, {epochs}{', ' + kw if kw else ''})
print([round(v, 8) for v in vals])
R = vals
"""


SCHEDS = {
    "step": "lrs.StepLR(opt, step_size=7, gamma=0.1)",
    "step_default_gamma": "lrs.StepLR(opt, 5)",
    "multistep": "lrs.MultiStepLR(opt, milestones=[5, 10, 10, 20], gamma=0.5)",
    "exponential": "lrs.ExponentialLR(opt, gamma=0.9)",
    "cosine": "lrs.CosineAnnealingLR(opt, T_max=10)",
    "cosine_eta_min": "lrs.CosineAnnealingLR(opt, T_max=12, eta_min=1e-3)",
    "warm_restarts": "lrs.CosineAnnealingWarmRestarts(opt, T_0=5)",
    "warm_restarts_mult": "lrs.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)",
    "cyclic_triangular": "lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4)",
    "cyclic_triangular2": "lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5, "
                          "mode='triangular2')",
    "cyclic_exp_range": "lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=4, mode='exp_range', gamma=0.9)",
    "cyclic_scale_fn": "lrs.CyclicLR(opt, 0.01, 0.1, step_size_up=3, scale_fn=lambda x: 0.5 ** x, "
                       "scale_mode='iterations')",
    "onecycle_cos": "lrs.OneCycleLR(opt, max_lr=0.1, total_steps=31)",
    "onecycle_linear": "lrs.OneCycleLR(opt, max_lr=0.2, epochs=3, steps_per_epoch=11, anneal_strategy='linear', "
                       "pct_start=0.4)",
    "onecycle_three_phase": "lrs.OneCycleLR(opt, max_lr=0.1, total_steps=35, three_phase=True, div_factor=10, "
                            "final_div_factor=100)",
    "lambda": "lrs.LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)",
    "lambda_warmup": "lrs.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 5))",
    "multiplicative": "lrs.MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.9)",
    "linear": "lrs.LinearLR(opt, start_factor=0.1, total_iters=10)",
    "linear_end": "lrs.LinearLR(opt, start_factor=1.0, end_factor=0.2, total_iters=8)",
    "constant": "lrs.ConstantLR(opt, factor=0.5, total_iters=4)",
    "constant_default": "lrs.ConstantLR(opt)",
    "polynomial": "lrs.PolynomialLR(opt, total_iters=10, power=2.0)",
    "polynomial_default": "lrs.PolynomialLR(opt)",
    "sequential": "lrs.SequentialLR(opt, schedulers=[lrs.LinearLR(opt, start_factor=0.1, total_iters=5), "
                  "lrs.CosineAnnealingLR(opt, T_max=20)], milestones=[5])",
    "sequential_three": "lrs.SequentialLR(opt, [lrs.ConstantLR(opt, factor=0.1, total_iters=2), "
                        "lrs.ExponentialLR(opt, gamma=0.9), lrs.StepLR(opt, 3)], milestones=[2, 10])",
    "chained": "lrs.ChainedScheduler([lrs.ConstantLR(opt, factor=0.1, total_iters=2), "
               "lrs.ExponentialLR(opt, gamma=0.9)])",
    "chained_optimizer_arg": "lrs.ChainedScheduler([lrs.LinearLR(opt, 0.5, total_iters=4), "
                             "lrs.StepLR(opt, 5, 0.5)], optimizer=opt)",
}


@pytest.mark.parametrize("name", sorted(SCHEDS))
def test_schedulers(name):
    check(_sched_snippet(SCHEDS[name]))


SCHED = {
    "cyclic_momentum": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=3, base_momentum=0.8, max_momentum=0.95)
ms = []
for _ in range(10):
    opt.step(); s.step(); ms.append(opt.param_groups[0]['momentum'])
print(ms)
R = ms, s.get_last_lr()
""",
    "cyclic_adam_betas": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=0.1)
s = lrs.CyclicLR(opt, base_lr=0.001, max_lr=0.01, step_size_up=2)
bs = []
for _ in range(5):
    opt.step(); s.step(); bs.append(opt.param_groups[0]['betas'])
R = bs
""",
    "cyclic_no_momentum_error": SCHED_PRELUDE + """
opt = torch.optim.Adagrad([w], lr=0.1)
lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1)
""",
    "cyclic_adagrad_no_cycle": SCHED_PRELUDE + """
opt = torch.optim.Adagrad([w], lr=0.1)
s = lrs.CyclicLR(opt, base_lr=0.01, max_lr=0.1, cycle_momentum=False); opt.step(); s.step()
R = s.get_last_lr()
""",
    "onecycle_momentum": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=1.0, total_steps=10)
rows = []
for _ in range(10):
    opt.step(); s.step(); rows.append((opt.param_groups[0]['lr'], opt.param_groups[0]['momentum']))
print(opt.param_groups[0].keys())
R = rows
""",
    "onecycle_adamw_betas": SCHED_PRELUDE + """
opt = torch.optim.AdamW([w], lr=1e-3)
s = lrs.OneCycleLR(opt, max_lr=1e-2, total_steps=6)
rows = []
for _ in range(6):
    opt.step(); s.step(); rows.append((opt.param_groups[0]['lr'], opt.param_groups[0]['betas']))
R = rows
""",
    "onecycle_too_many_steps": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.OneCycleLR(opt, max_lr=0.1, total_steps=3)
for _ in range(4):
    opt.step(); s.step()
""",
    "onecycle_missing_steps": SCHED_PRELUDE + "lrs.OneCycleLR(torch.optim.SGD([w], lr=0.1), max_lr=0.1)",
    "onecycle_bad_strategy": SCHED_PRELUDE + "lrs.OneCycleLR(torch.optim.SGD([w], lr=0.1), 0.1, 10, anneal_strategy='exp')",
    "onecycle_bad_pct": SCHED_PRELUDE + "lrs.OneCycleLR(torch.optim.SGD([w], lr=0.1), 0.1, 10, pct_start=1.5)",
    "onecycle_initial_lr": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=0.1, total_steps=10)
g = opt.param_groups[0]
R = g['lr'], g['initial_lr'], g['max_lr'], g['min_lr'], g['momentum'], s.get_last_lr()
""",
    "warm_restarts_fractional": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=0.001)
iters = 4
out = []
for epoch in range(4):
    for i in range(iters):
        opt.step()
        s.step(epoch + i / iters)
        out.append(s.get_last_lr()[0])
print([round(v, 6) for v in out])
R = out, s.T_cur, s.T_i
""",
    "warm_restarts_bad": SCHED_PRELUDE + "lrs.CosineAnnealingWarmRestarts(torch.optim.SGD([w], lr=0.1), T_0=0)",
    "warm_restarts_bad_mult": SCHED_PRELUDE + "lrs.CosineAnnealingWarmRestarts(torch.optim.SGD([w], lr=0.1), T_0=2, T_mult=1.5)",
    "plateau_min": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, mode='min', factor=0.5, patience=2)
losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.85, 0.85, 0.85, 0.85, 0.85, 0.85, 0.84]
out = []
for l in losses:
    opt.step(); s.step(l); out.append(s.get_last_lr()[0])
print(out, s.num_bad_epochs, s.best)
R = out
""",
    "plateau_max_threshold_abs": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, mode='max', factor=0.1, patience=1, threshold=0.01, threshold_mode='abs',
                          cooldown=2, min_lr=1e-4)
accs = [0.5, 0.505, 0.51, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
out = []
for a in accs:
    opt.step(); s.step(torch.tensor(a)); out.append(opt.param_groups[0]['lr'])
R = out, s.cooldown_counter, s.best
""",
    "plateau_eps_min_lr_list": SCHED_PRELUDE + """
a = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([{'params': [w]}, {'params': [a], 'lr': 0.01}], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, factor=0.1, patience=0, min_lr=[0.001, 0.0005], eps=1e-3)
out = []
for _ in range(5):
    opt.step(); s.step(1.0); out.append(s.get_last_lr())
R = out
""",
    "plateau_errors": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
for kw in [dict(factor=1.0), dict(mode='avg'), dict(threshold_mode='pct'), dict(min_lr=[0.1, 0.2])]:
    try:
        lrs.ReduceLROnPlateau(opt, **kw)
    except Exception as e:
        print(type(e).__name__, e)
""",
    "plateau_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=1)
for l in [1.0, 1.0, 1.0]:
    opt.step(); s.step(l)
sd = s.state_dict()
print(sorted(sd.keys()))
R = sd['best'], sd['num_bad_epochs'], sd['last_epoch'], sd['_last_lr'], sd['mode'], sd['threshold']
""",
    "plateau_verbose_deprecated": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, 'min', verbose=True)
""",
    "step_before_optimizer_warns": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2)
s.step(); opt.step(); s.step()
R = s.get_last_lr()
""",
    "get_lr_outside_step_warns": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2, gamma=0.5)
opt.step(); s.step(); opt.step(); s.step()
R = s.get_lr(), s.get_last_lr()
""",
    "epoch_argument_deprecated": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2, gamma=0.5)
opt.step(); s.step(5)
R = s.get_last_lr(), s.last_epoch
""",
    "epoch_argument_exponential": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ExponentialLR(opt, 0.5)
opt.step(); s.step(3); s.step(1)
R = s.get_last_lr(), s.last_epoch
""",
    "resume_last_epoch_missing_initial": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
lrs.StepLR(opt, 2, last_epoch=5)
""",
    "resume_last_epoch_initial_lr": SCHED_PRELUDE + """
opt = torch.optim.SGD([{'params': [w], 'initial_lr': 0.1}], lr=0.1)
opt.param_groups[0]['lr'] = 0.025
s = lrs.StepLR(opt, 2, gamma=0.5, last_epoch=4)
out = []
for _ in range(4):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
R = out, s.base_lrs, s.last_epoch
""",
    "scheduler_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.MultiStepLR(opt, [2, 4], 0.1)
for _ in range(3):
    opt.step(); s.step()
sd = s.state_dict()
print(sd)
opt2 = torch.optim.SGD([w], lr=0.1)
s2 = lrs.MultiStepLR(opt2, [2, 4], 0.1)
s2.load_state_dict(sd)
R = s2.last_epoch, s2.get_last_lr(), opt2.param_groups[0]['lr']
""",
    "scheduler_state_dicts_print": SCHED_PRELUDE + """
for make in [lambda o: lrs.StepLR(o, 3), lambda o: lrs.ExponentialLR(o, 0.9), lambda o: lrs.CosineAnnealingLR(o, 5),
             lambda o: lrs.LinearLR(o), lambda o: lrs.ConstantLR(o), lambda o: lrs.PolynomialLR(o),
             lambda o: lrs.CosineAnnealingWarmRestarts(o, 3)]:
    opt = torch.optim.SGD([w], lr=0.1)
    s = make(opt); opt.step(); s.step()
    print(type(s).__name__, s.state_dict())
""",
    "scheduler_state_dict_resume_cosine": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.CosineAnnealingLR(opt, T_max=10, eta_min=0.001)
for _ in range(4):
    opt.step(); s.step()
osd, ssd = opt.state_dict(), s.state_dict()
a = [s.get_last_lr()[0] for _ in range(1) for __ in [opt.step(), s.step()]]
opt2 = torch.optim.SGD([w], lr=0.1, momentum=0.9); opt2.load_state_dict(osd)
s2 = lrs.CosineAnnealingLR(opt2, T_max=10, eta_min=0.001); s2.load_state_dict(ssd)
opt2.step(); s2.step()
R = a, s2.get_last_lr(), opt2.param_groups[0]['initial_lr']
""",
    "lambda_state_dict": SCHED_PRELUDE + """
class Warm:
    def __init__(self, n): self.n = n
    def __call__(self, e): return min(1.0, (e + 1) / self.n)
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.LambdaLR(opt, Warm(4))
opt.step(); s.step()
sd = s.state_dict(); print(sorted(sd.keys()), sd['lr_lambdas'])
s2 = lrs.LambdaLR(opt, lambda e: 1.0)
s3 = lrs.LambdaLR(opt, [lambda e: 1.0])
print(s2.state_dict()['lr_lambdas'])
""",
    "lambda_wrong_count": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
lrs.LambdaLR(opt, [lambda e: 1.0, lambda e: 0.5])
""",
    "per_group_lambdas": SCHED_PRELUDE + """
a = torch.zeros(1, requires_grad=True)
opt = torch.optim.SGD([{'params': [w]}, {'params': [a], 'lr': 1.0}], lr=0.1)
s = lrs.LambdaLR(opt, [lambda e: 0.5 ** e, lambda e: 1 / (e + 1)])
out = []
for _ in range(4):
    opt.step(); s.step(); out.append(s.get_last_lr())
print(out)
R = out
""",
    "not_an_optimizer": SCHED_PRELUDE + "lrs.StepLR([w], 2)",
    "step_size_zero": SCHED_PRELUDE + "s = lrs.StepLR(torch.optim.SGD([w], lr=0.1), 0); s.step()",
    "linear_bad_factor": SCHED_PRELUDE + "lrs.LinearLR(torch.optim.SGD([w], lr=0.1), start_factor=0)",
    "linear_bad_end": SCHED_PRELUDE + "lrs.LinearLR(torch.optim.SGD([w], lr=0.1), end_factor=2)",
    "constant_bad_factor": SCHED_PRELUDE + "lrs.ConstantLR(torch.optim.SGD([w], lr=0.1), factor=2)",
    "sequential_bad_milestones": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
lrs.SequentialLR(opt, [lrs.ConstantLR(opt), lrs.ExponentialLR(opt, 0.9)], milestones=[2, 4])
""",
    "sequential_other_optimizer": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1); opt2 = torch.optim.SGD([w], lr=0.1)
lrs.SequentialLR(opt, [lrs.ConstantLR(opt), lrs.ExponentialLR(opt2, 0.9)], milestones=[2])
""",
    "sequential_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.SequentialLR(opt, [lrs.LinearLR(opt, 0.5, total_iters=2), lrs.ExponentialLR(opt, 0.9)], milestones=[2])
for _ in range(3):
    opt.step(); s.step()
sd = s.state_dict()
print(sorted(sd.keys()), [sorted(x.keys()) for x in sd['_schedulers']])
R = sd['_milestones'], sd['last_epoch'], sd['_last_lr']
""",
    "chained_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ChainedScheduler([lrs.ConstantLR(opt, 0.5, 2), lrs.ExponentialLR(opt, 0.9)])
opt.step(); s.step()
sd = s.state_dict(); print(sorted(sd.keys()))
R = s.get_last_lr(), len(sd['_schedulers'])
""",
    "two_schedulers_same_opt": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s1 = lrs.ExponentialLR(opt, 0.9); s2 = lrs.StepLR(opt, 3, 0.5)
out = []
for _ in range(7):
    opt.step(); s1.step(); s2.step(); out.append(opt.param_groups[0]['lr'])
R = out
""",
    "warmup_then_plateau_manual": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=1e-3)
warm = lrs.LinearLR(opt, start_factor=0.01, total_iters=3)
plat = lrs.ReduceLROnPlateau(opt, patience=0, factor=0.5)
out = []
for e in range(7):
    opt.step()
    if e < 3:
        warm.step()
    else:
        plat.step(1.0)
    out.append(opt.param_groups[0]['lr'])
R = out
""",
    "scheduler_repr_attrs": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 3)
R = s.step_size, s.gamma, s.last_epoch, s.base_lrs, s._step_count, type(s).__mro__[1].__name__
""",
    "print_last_lr": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=0.001)
s = lrs.ExponentialLR(opt, gamma=0.95)
for epoch in range(3):
    opt.step(); s.step()
    print(f"epoch {epoch}: lr {s.get_last_lr()}")
    print('lr', opt.param_groups[0]['lr'])
print(s.get_last_lr())
""",
    "tensor_lr_scheduler": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=torch.tensor(0.01))
s = lrs.StepLR(opt, 1, 0.5)
for _ in range(2):
    opt.step(); s.step()
R = s.get_last_lr(), opt.param_groups[0]['lr']
""",
}


@pytest.mark.parametrize("name", sorted(SCHED))
def test_scheduler_code(name):
    check(SCHED[name])


MISC = {
    "swa_averaged_model": PRELUDE + """
from torch.optim.swa_utils import AveragedModel, SWALR
""".replace("from torch.optim.swa_utils import AveragedModel, SWALR", "AveragedModel, SWALR = torch.optim.swa_utils.AveragedModel, torch.optim.swa_utils.SWALR") + """
m = make(); swa_model = AveragedModel(m)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
swa_sched = SWALR(opt, swa_lr=0.05, anneal_epochs=3)
lrs_seen = []
for epoch in range(6):
    train(m, opt, 1)
    if epoch >= 2:
        swa_model.update_parameters(m); swa_sched.step()
    lrs_seen.append(opt.param_groups[0]['lr'])
print(swa_model)
print(lrs_seen)
R = (list(swa_model.parameters()), swa_model.n_averaged, list(swa_model.state_dict().keys()), swa_model(X),
     swa_sched.get_last_lr())
""",
    "swa_ema": PRELUDE + """
su = torch.optim.swa_utils
m = make()
ema = su.AveragedModel(m, multi_avg_fn=su.get_ema_multi_avg_fn(0.9))
ema2 = su.AveragedModel(m, avg_fn=su.get_ema_avg_fn(0.8))
opt = torch.optim.Adam(m.parameters(), lr=0.01)
for _ in range(4):
    train(m, opt, 1); ema.update_parameters(m); ema2.update_parameters(m)
R = list(ema.module.parameters()), list(ema2.parameters()), ema.n_averaged
""",
    "swa_custom_avg_fn": PRELUDE + """
su = torch.optim.swa_utils
m = make()
avg = su.AveragedModel(m, avg_fn=lambda avg_p, p, n: 0.5 * avg_p + 0.5 * p)
opt = torch.optim.SGD(m.parameters(), lr=0.1)
for _ in range(3):
    train(m, opt, 1); avg.update_parameters(m)
R = list(avg.parameters())
""",
    "swa_update_bn": """
nn = torch.nn
su = torch.optim.swa_utils
m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))
with torch.no_grad():
    for i, p in enumerate(m.parameters()):
        p.copy_(torch.linspace(-1, 1, p.numel()).reshape(p.shape) * (i + 1))
swa = su.AveragedModel(m)
swa.update_parameters(m)
loader = [torch.linspace(-2, 2, 24).reshape(8, 3), torch.linspace(0, 3, 24).reshape(8, 3)]
su.update_bn(loader, swa)
bn = swa.module[1]
print(bn)
R = bn.running_mean, bn.running_var, bn.num_batches_tracked, bn.momentum, swa.training
""",
    "swa_update_bn_tuples": """
nn = torch.nn
su = torch.optim.swa_utils
m = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
with torch.no_grad():
    m[0].weight.copy_(torch.arange(6.).reshape(3, 2) / 5); m[0].bias.zero_()
data = [(torch.arange(8.).reshape(4, 2), torch.zeros(4)), (torch.ones(4, 2), torch.ones(4))]
su.update_bn(data, m)
R = m[1].running_mean, m[1].running_var
""",
    "swalr_cos_linear": SCHED_PRELUDE + """
su = torch.optim.swa_utils
out = {}
for strat in ['cos', 'linear']:
    opt = torch.optim.SGD([w], lr=0.5)
    s = su.SWALR(opt, swa_lr=[0.1], anneal_epochs=4, anneal_strategy=strat)
    vals = []
    for _ in range(6):
        opt.step(); s.step(); vals.append(s.get_last_lr()[0])
    out[strat] = vals
print(out)
R = out
""",
    "swalr_errors": SCHED_PRELUDE + """
su = torch.optim.swa_utils
opt = torch.optim.SGD([w], lr=0.5)
for kw in [dict(swa_lr=0.1, anneal_strategy='exp'), dict(swa_lr=0.1, anneal_epochs=-1), dict(swa_lr=[0.1, 0.2])]:
    try:
        su.SWALR(opt, **kw)
    except Exception as e:
        print(type(e).__name__, e)
""",
    "fused_foreach_flags": """
w = torch.tensor([1., 2.], requires_grad=True)
outs = []
for kw in [dict(foreach=True), dict(fused=True), dict(foreach=False)]:
    for cls in [torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW, torch.optim.Adagrad]:
        v = w.detach().clone().requires_grad_()
        opt = cls([v], lr=0.1, **kw)
        for _ in range(2):
            opt.zero_grad(); (v ** 2).sum().backward(); opt.step()
        outs.append(v)
R = outs
""",
    "fused_and_foreach_error": "torch.optim.Adam([torch.ones(1, requires_grad=True)], fused=True, foreach=True)",
    "adam_capturable_cpu": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1, capturable=True)
(w ** 2).sum().backward(); opt.step()
R = w
""",
    "capturable_messages": """
for cls in [torch.optim.AdamW, torch.optim.NAdam, torch.optim.ASGD, torch.optim.RAdam, torch.optim.Adamax,
            torch.optim.RMSprop, torch.optim.Rprop, torch.optim.Adadelta]:
    w = torch.tensor([1., 2.], requires_grad=True)
    opt = cls([w], capturable=True)
    (w ** 2).sum().backward()
    try:
        opt.step(); print(cls.__name__, 'ok', w.tolist())
    except AssertionError as e:
        print(cls.__name__, e, len(opt.state))
""",
    "int_param_error": """
w = torch.tensor([1, 2])
opt = torch.optim.SGD([w], lr=0.1)
R = len(opt.param_groups[0]['params'])
""",
    "step_without_grads": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1); opt.step()
R = w, len(opt.state)
""",
    "no_grad_decorated_step": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
(w ** 2).sum().backward()
with torch.no_grad():
    opt.step()
opt.step()
R = w, w.grad, w.requires_grad, w.is_leaf, opt.state[w]['momentum_buffer'].requires_grad
""",
    "param_version_inplace_error": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
y = (w ** 2).sum()
opt.zero_grad(); y.backward(retain_graph=True); opt.step()
y.backward()
""",
    "lr_as_tensor_state_dict": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.AdamW([w], lr=torch.tensor(0.01), weight_decay=0.1)
(w ** 2).sum().backward(); opt.step()
print(opt.state_dict()['param_groups'][0]['lr'])
R = w
""",
    "sparse_adam_embedding": """
emb = torch.nn.Embedding(6, 3, sparse=True)
with torch.no_grad():
    emb.weight.copy_(torch.linspace(-1, 1, 18).reshape(6, 3))
opt = torch.optim.SparseAdam(emb.parameters(), lr=0.1)
for idx in [[0, 2, 2], [2, 5], [1]]:
    opt.zero_grad()
    out = emb(torch.tensor(idx))
    (out * torch.arange(1., 1. + out.numel()).reshape(out.shape)).sum().backward()
    opt.step()
st = opt.state[emb.weight]
print(opt)
R = emb.weight, st['step'], st['exp_avg'], st['exp_avg_sq']
""",
    "sparse_adam_errors": """
for kw in [dict(lr=0.0), dict(eps=0.0), dict(betas=(1.0, 0.9)), dict(betas=(0.9, -0.1))]:
    try:
        torch.optim.SparseAdam([torch.ones(2, requires_grad=True)], **kw)
    except ValueError as e:
        print(e)
torch.optim.SparseAdam([torch.ones(2, dtype=torch.complex64, requires_grad=True)])
""",
    "optim_classes_names": """
R = [torch.optim.Adam.__name__, torch.optim.lr_scheduler.StepLR.__name__, torch.optim.Optimizer.__name__,
     issubclass(torch.optim.AdamW, torch.optim.Optimizer), issubclass(torch.optim.AdamW, torch.optim.Adam),
     issubclass(torch.optim.lr_scheduler.StepLR, torch.optim.lr_scheduler.LRScheduler),
     issubclass(torch.optim.lr_scheduler.ReduceLROnPlateau, torch.optim.lr_scheduler.LRScheduler),
     torch.optim.lr_scheduler._LRScheduler is torch.optim.lr_scheduler.LRScheduler]
""",
}


@pytest.mark.parametrize("name", sorted(MISC))
def test_misc_code(name):
    check(MISC[name])


MORE = {
    "custom_scheduler_subclass": SCHED_PRELUDE + """
class Warmup(lrs.LRScheduler):
    def __init__(self, optimizer, warmup, last_epoch=-1):
        self.warmup = warmup
        super().__init__(optimizer, last_epoch)
    def get_lr(self):
        return [base * min(1.0, (self.last_epoch + 1) / self.warmup) for base in self.base_lrs]
opt = torch.optim.SGD([w], lr=0.1)
s = Warmup(opt, 4)
out = [s.get_last_lr()[0]]
for _ in range(6):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
print(out)
R = out, sorted(s.state_dict().keys())
""",
    "custom_old_lrscheduler": SCHED_PRELUDE + """
class Half(lrs._LRScheduler):
    def get_lr(self):
        return [g['lr'] * 0.5 for g in self.optimizer.param_groups]
opt = torch.optim.SGD([w], lr=0.1)
s = Half(opt)
for _ in range(3):
    opt.step(); s.step()
R = s.get_last_lr()
""",
    "cosine_epoch_closed_form": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingLR(opt, T_max=10, eta_min=0.01)
out = []
for e in [3, 7, 2, 10, 15]:
    opt.step(); s.step(e); out.append(s.get_last_lr()[0])
R = out
""",
    "cosine_chainable_after_manual_lr": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingLR(opt, T_max=6)
out = []
for e in range(8):
    opt.step(); s.step()
    if e == 2:
        opt.param_groups[0]['lr'] = 0.2
    out.append(opt.param_groups[0]['lr'])
R = out
""",
    "onecycle_state_dict_resume": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=0.5, total_steps=12)
for _ in range(5):
    opt.step(); s.step()
ssd, osd = s.state_dict(), opt.state_dict()
print(sorted(ssd.keys()))
opt2 = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s2 = lrs.OneCycleLR(opt2, max_lr=0.5, total_steps=12)
opt2.load_state_dict(osd); s2.load_state_dict(ssd)
a, b = [], []
for _ in range(4):
    opt.step(); s.step(); a.append(s.get_last_lr()[0])
    opt2.step(); s2.step(); b.append(s2.get_last_lr()[0])
R = a, b, opt2.param_groups[0]['momentum']
""",
    "cyclic_state_dict": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
s = lrs.CyclicLR(opt, 0.01, 0.1, step_size_up=2, mode='triangular2')
opt.step(); s.step()
sd = s.state_dict()
print(sorted(sd.keys()))
R = sd['base_lrs'], sd['max_lrs'], sd['total_size'], sd['step_ratio'], sd['mode'], sd['scale_mode'], sd['last_epoch']
""",
    "plateau_nan_and_tensor": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=0)
for m in [torch.tensor(1.0), torch.tensor(0.5), float('nan'), 0.6, 0.7]:
    opt.step(); s.step(m)
R = s.get_last_lr(), s.best, s.num_bad_epochs, s.last_epoch
""",
    "plateau_epoch_warning": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=0)
opt.step(); s.step(1.0, 5)
R = s.last_epoch
""",
    "plateau_initial_last_lr": SCHED_PRELUDE + """
opt = torch.optim.Adam([w], lr=0.003)
s = lrs.ReduceLROnPlateau(opt)
R = s.get_last_lr(), s.last_epoch, s.patience, s.factor, s.threshold, s.mode, s.cooldown, s.min_lrs, s.eps
""",
    "lambda_not_callable": SCHED_PRELUDE + "lrs.LambdaLR(torch.optim.SGD([w], lr=0.1), 0.5)",
    "multistep_milestones_counter": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=1.0)
s = lrs.MultiStepLR(opt, milestones=[3, 3, 5], gamma=0.1)
print(s.milestones, type(s.milestones).__name__)
R = [s.get_last_lr()[0] for _ in range(7) for __ in [opt.step(), s.step()]]
""",
    "half_params_adam": """
w = torch.tensor([1., 2., 3.], dtype=torch.float16, requires_grad=True)
opt = torch.optim.Adam([w], lr=0.01)
for _ in range(3):
    opt.zero_grad(); (w.float() ** 2).sum().backward(); opt.step()
R = w, opt.state[w]['exp_avg'].dtype, opt.state[w]['step'].dtype
""",
    "float64_default_dtype_step": """
torch.set_default_dtype(torch.float64)
try:
    w = torch.tensor([1., 2.], requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.1)
    (w ** 2).sum().backward(); opt.step()
    R = opt.state[w]['step'].dtype, w.dtype
finally:
    torch.set_default_dtype(torch.float32)
""",
    "zero_grad_create_graph": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
(w ** 3).sum().backward(create_graph=True)
g = w.grad
opt.zero_grad(set_to_none=False)
R = w.grad, w.grad.requires_grad, w.grad is g
""",
    "params_to_vector": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1)
train(m, opt, 2)
v = torch.nn.utils.parameters_to_vector(m.parameters())
torch.nn.utils.vector_to_parameters(v * 0 + 1, m.parameters())
R = v.shape, list(m.parameters())[0]
""",
    "generator_consumed": PRELUDE + """
m = make(); params = m.parameters()
opt1 = torch.optim.SGD(params, lr=0.1)
opt2 = torch.optim.SGD(params, lr=0.1)
""",
    "get_set_param_group_option": """
w = torch.ones(2, requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
opt.param_groups[0]['momentum'] = 0.9
(w * 3).sum().backward(); opt.step(); opt.step()
R = w, opt.state_dict()['state']
""",
    "betas_as_tensors": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.Adam([w], lr=0.1, betas=(torch.tensor(0.9), torch.tensor(0.99)))
for _ in range(2):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
R = w
""",
    "step_hook_modifies_grad": """
w = torch.tensor([1., 2.], requires_grad=True)
opt = torch.optim.SGD([w], lr=0.1)
def pre(o, args, kwargs):
    for g in o.param_groups:
        for p in g['params']:
            p.grad.mul_(10)
opt.register_step_pre_hook(pre)
(w ** 2).sum().backward(); opt.step()
R = w
""",
    "state_dict_param_names_load": PRELUDE + """
m = make(); opt = torch.optim.Adam(m.named_parameters(), lr=0.01)
train(m, opt, 1)
sd = opt.state_dict()
opt2 = torch.optim.Adam(m.parameters(), lr=0.01); opt2.load_state_dict(sd)
print(sorted(opt2.param_groups[0].keys()))
opt3 = torch.optim.Adam(m.named_parameters(), lr=0.01); opt3.load_state_dict(sd)
print(opt3.param_groups[0]['param_names'])
""",
    "mixed_names_error": PRELUDE + """
m = make()
torch.optim.SGD([{'params': m[0].named_parameters()}, {'params': m[2].parameters()}], lr=0.1)
""",
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_code(name):
    check(MORE[name])


EXTRA = {
"print_after_sched": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=torch.tensor(0.1), momentum=0.9)
s = lrs.StepLR(opt, 2)
print(opt)
print(opt.state_dict())
""",
"grad_scaler_cpu": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1)
scaler = torch.amp.GradScaler('cpu', init_scale=1024.)
sched = torch.optim.lr_scheduler.StepLR(opt, 1, 0.5)
for _ in range(3):
    opt.zero_grad()
    loss = F.mse_loss(m(X), Y)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    sched.step()
print(scaler.get_scale(), sched.get_last_lr())
R = list(m.parameters())
""",
"autocast_bf16_train": PRELUDE + """
m = make(); opt = torch.optim.AdamW(m.parameters(), lr=0.01)
for _ in range(3):
    opt.zero_grad()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        out = m(X)
    loss = F.mse_loss(out.float(), Y)
    loss.backward(); opt.step()
print(out.dtype, [p.grad.dtype for p in m.parameters()])
""",
"override_step_warning": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 2)
opt.step = lambda closure=None: None
opt.step(); s.step()
""",
"scheduler_no_opt_step": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ExponentialLR(opt, 0.5)
for _ in range(3):
    s.step()
R = s.get_last_lr()
""",
"sched_print_obj_type": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.OneCycleLR(opt, max_lr=0.1, total_steps=5)
R = [type(x).__name__ for x in s.state_dict().values()]
""",
"sgd_momentum_none_lr": """
w = torch.ones(2, requires_grad=True)
torch.optim.SGD([w], lr=None)
""",
"adam_lr_string": """
w = torch.ones(2, requires_grad=True)
torch.optim.Adam([w], lr='0.1')
""",
"param_group_params_single_tensor": """
w = torch.ones(2, requires_grad=True)
opt = torch.optim.SGD([{'params': w, 'lr': 0.5}], lr=0.1)
R = len(opt.param_groups[0]['params']), opt.param_groups[0]['lr']
""",
"dict_params_not_list": """
w = torch.ones(2, requires_grad=True)
opt = torch.optim.SGD({'params': [w]}, lr=0.1)
""",
"rprop_state": """
w = torch.tensor([1., -2., 3.], requires_grad=True)
opt = torch.optim.Rprop([w], lr=0.1)
for i in range(4):
    opt.zero_grad(); (w ** 2 * torch.tensor([1., -1., 0.])).sum().backward(); opt.step()
print(opt.state_dict())
""",
"asgd_state": """
w = torch.tensor([1., -2., 3.], requires_grad=True)
opt = torch.optim.ASGD([w], lr=0.1, t0=1)
for i in range(3):
    opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
print(opt.state_dict())
""",
"nadam_radam_state": """
w = torch.tensor([1., -2., 3.], requires_grad=True)
for cls in [torch.optim.NAdam, torch.optim.RAdam, torch.optim.Adagrad, torch.optim.Adadelta, torch.optim.Adamax, torch.optim.RMSprop]:
    opt = cls([w], lr=0.01)
    for i in range(2):
        opt.zero_grad(); (w ** 2).sum().backward(); opt.step()
    print(opt.state_dict())
""",
"lbfgs_state_dict_print": """
w = torch.tensor([1., -2.], requires_grad=True, dtype=torch.float64)
opt = torch.optim.LBFGS([w], max_iter=3, history_size=2)
def c():
    opt.zero_grad(); l = ((w - 1) ** 2).sum() + (w[0] * w[1]) ** 2; l.backward(); return l
opt.step(c)
sd = opt.state_dict()
print(sorted(sd['state'][0].keys()))
print({k: type(v).__name__ for k, v in sd['state'][0].items()})
R = w, sd['state'][0]['n_iter'], sd['state'][0]['func_evals'], sd['state'][0]['t']
""",
}


@pytest.mark.parametrize("name", sorted(EXTRA))
def test_extra_code(name):
    check(EXTRA[name])


RESUME = {
"resume_warm_restarts": SCHED_PRELUDE + """
opt = torch.optim.SGD([{'params': [w], 'initial_lr': 0.1}], lr=0.1)
s = lrs.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2, last_epoch=5)
out = [s.get_last_lr()[0]]
for _ in range(5):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
R = out, s.T_cur, s.T_i
""",
"resume_onecycle": SCHED_PRELUDE + """
opt = torch.optim.SGD([{'params': [w], 'initial_lr': 0.1, 'max_lr': 1.0, 'min_lr': 1e-5, 'max_momentum': 0.95, 'base_momentum': 0.85}], lr=0.1, momentum=0.9)
s = lrs.OneCycleLR(opt, max_lr=1.0, total_steps=10, last_epoch=3)
out = [s.get_last_lr()[0]]
for _ in range(3):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
R = out
""",
"resume_onecycle_missing": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1, momentum=0.9)
lrs.OneCycleLR(opt, max_lr=1.0, total_steps=10, last_epoch=3)
""",
"resume_cyclic": SCHED_PRELUDE + """
opt = torch.optim.SGD([{'params': [w], 'initial_lr': 0.1}], lr=0.1, momentum=0.9)
s = lrs.CyclicLR(opt, 0.01, 0.1, step_size_up=3, last_epoch=4)
out = [s.get_last_lr()[0]]
for _ in range(3):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
R = out, opt.param_groups[0]['momentum']
""",
"resume_exponential_lr_value": SCHED_PRELUDE + """
opt = torch.optim.SGD([{'params': [w], 'initial_lr': 0.1}], lr=0.05)
s = lrs.ExponentialLR(opt, 0.5, last_epoch=2)
out = [s.get_last_lr()[0]]
for _ in range(2):
    opt.step(); s.step(); out.append(s.get_last_lr()[0])
R = out
""",
"gradscaler_inf_skip": PRELUDE + """
m = make(); opt = torch.optim.SGD(m.parameters(), lr=0.1)
scaler = torch.amp.GradScaler('cpu', init_scale=2.0 ** 16)
sched = torch.optim.lr_scheduler.StepLR(opt, 1, 0.5)
for i in range(2):
    opt.zero_grad()
    loss = F.mse_loss(m(X), Y) * (float('inf') if i == 0 else 1.0)
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    sched.step()
print(scaler.get_scale(), sched.get_last_lr())
R = list(m.parameters())
""",
"scheduler_pickle_state": SCHED_PRELUDE + """
import io, pickle
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingLR(opt, 10)
opt.step(); s.step()
buf = io.BytesIO(); torch.save(s.state_dict(), buf); buf.seek(0)
sd = torch.load(buf)
R = sorted(sd.keys()), sd['last_epoch'], sd['T_max'], sd['_last_lr']
""",
"plateau_in_sequential_chain_state": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, 'max', patience=1, factor=0.5, threshold=0.1)
hist = []
for acc in [0.5, 0.55, 0.56, 0.57, 0.7, 0.71, 0.72]:
    opt.step(); s.step(acc); hist.append((opt.param_groups[0]['lr'], s.num_bad_epochs, s.best))
R = hist
""",
"add_group_after_scheduler": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.StepLR(opt, 1, 0.5)
v = torch.zeros(1, requires_grad=True)
opt.add_param_group({'params': [v], 'lr': 1.0})
for _ in range(2):
    opt.step(); s.step()
R = s.get_last_lr(), [g['lr'] for g in opt.param_groups], s.base_lrs, sorted(opt.param_groups[1].keys())
""",
"add_group_after_cosine": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.CosineAnnealingLR(opt, 4)
v = torch.zeros(1, requires_grad=True)
opt.add_param_group({'params': [v], 'lr': 1.0})
opt.step(); s.step()
R = s.get_last_lr()
""",
"add_group_after_lambda": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.LambdaLR(opt, lambda e: 0.5 ** e)
v = torch.zeros(1, requires_grad=True)
opt.add_param_group({'params': [v], 'lr': 1.0})
opt.step(); s.step()
R = s.get_last_lr(), [g['lr'] for g in opt.param_groups]
""",
"plateau_add_group": SCHED_PRELUDE + """
opt = torch.optim.SGD([w], lr=0.1)
s = lrs.ReduceLROnPlateau(opt, patience=0)
v = torch.zeros(1, requires_grad=True)
opt.add_param_group({'params': [v], 'lr': 1.0})
for _ in range(3):
    opt.step(); s.step(1.0)
R = s.get_last_lr(), [g['lr'] for g in opt.param_groups]
""",
}


@pytest.mark.parametrize("name", sorted(RESUME))
def test_resume_code(name):
    check(RESUME[name])

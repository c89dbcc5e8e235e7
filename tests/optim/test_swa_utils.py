"""AveragedModel (SWA and EMA), SWALR and update_bn against torch."""
import numpy as np
import pytest
import torch

import ember
from ember.optim import swa_utils as ES
from torch.optim import swa_utils as TS


def _models():
    me = ember.nn.Sequential(ember.nn.Linear(4, 5), ember.nn.BatchNorm1d(5), ember.nn.Linear(5, 2))
    mt = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.Linear(5, 2))
    with torch.no_grad():
        for pe, pt in zip(me.parameters(), mt.parameters()):
            pt.copy_(torch.tensor(pe.detach().numpy().copy()))
    return me, mt


@pytest.mark.parametrize("kind", ["swa", "ema", "ema-avg_fn", "ema-buffers"])
def test_averaged_model_matches_torch(kind):
    me, mt = _models()
    kw_e = {"swa": {}, "ema": {"multi_avg_fn": ES.get_ema_multi_avg_fn(0.9)},
            "ema-avg_fn": {"avg_fn": ES.get_ema_avg_fn(0.8)},
            "ema-buffers": {"multi_avg_fn": ES.get_ema_multi_avg_fn(0.9), "use_buffers": True}}[kind]
    kw_t = {"swa": {}, "ema": {"multi_avg_fn": TS.get_ema_multi_avg_fn(0.9)},
            "ema-avg_fn": {"avg_fn": TS.get_ema_avg_fn(0.8)},
            "ema-buffers": {"multi_avg_fn": TS.get_ema_multi_avg_fn(0.9), "use_buffers": True}}[kind]
    ae, at = ES.AveragedModel(me, **kw_e), TS.AveragedModel(mt, **kw_t)
    rng = np.random.default_rng(0)
    for _ in range(6):
        x = rng.standard_normal((8, 4)).astype(np.float32)
        me(ember.tensor(x))
        mt(torch.tensor(x))                        # training-mode forward moves the BatchNorm running stats
        for pe, pt in zip(me.parameters(), mt.parameters()):
            delta = rng.standard_normal(pe.shape).astype(np.float32) * 0.1
            with ember.no_grad():
                pe.add_(ember.tensor(delta))
            with torch.no_grad():
                pt.add_(torch.tensor(delta))
        ae.update_parameters(me)
        at.update_parameters(mt)
    assert int(ae.n_averaged) == int(at.n_averaged) == 6
    for (ne, te), (nt, tt) in zip(ae.state_dict().items(), at.state_dict().items()):
        assert ne == nt
        np.testing.assert_allclose(te.numpy(), tt.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=ne)


def test_update_bn_matches_torch():
    me, mt = _models()
    rng = np.random.default_rng(1)
    batches = [rng.standard_normal((8, 4)).astype(np.float32) for _ in range(3)]
    ES.update_bn([ember.tensor(b) for b in batches], me)
    TS.update_bn([(torch.tensor(b),) for b in batches], mt)
    np.testing.assert_allclose(me[1].running_mean.numpy(), mt[1].running_mean.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(me[1].running_var.numpy(), mt[1].running_var.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("strategy,anneal", [("cos", 10), ("linear", 5), ("cos", 0)])
def test_swalr_matches_torch(strategy, anneal):
    seqs = []
    for lib, mod in ((ember, ES), (torch, TS)):
        p = lib.nn.Parameter(lib.zeros(2))
        opt = lib.optim.SGD([p], lr=0.5)
        sched = mod.SWALR(opt, swa_lr=0.05, anneal_epochs=anneal, anneal_strategy=strategy)
        seq = [sched.get_last_lr()]
        for _ in range(30):
            opt.step()
            sched.step()
            seq.append(sched.get_last_lr())
        seqs.append(seq)
    np.testing.assert_allclose(np.array(seqs[0]), np.array(seqs[1]), rtol=1e-13)

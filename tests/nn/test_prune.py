"""nn.utils.prune compared with torch on the same weights (random methods: counts only)."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.utils.prune as eprune
import torch.nn.utils.prune as tprune

W = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)


def _pair(w=W):
    out = []
    for lib in (torch, ember):
        m = lib.nn.Linear(w.shape[1], w.shape[0])
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
            m.bias.copy_(lib.arange(w.shape[0], dtype=lib.float32))
        out.append(m)
    return out


def _same(a, b):
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_repeated_pruning_composes_and_matches_torch():
    tm, em = _pair()
    for prune, m in ((tprune, tm), (eprune, em)):
        prune.l1_unstructured(m, "weight", amount=0.3)
        prune.ln_structured(m, "weight", amount=1, n=2, dim=0)
        prune.l1_unstructured(m, "weight", amount=2)
    _same(tm.weight_mask, em.weight_mask)
    assert em.weight_mask.dtype == ember.float32
    assert sorted(dict(em.named_parameters())) == sorted(dict(tm.named_parameters())) == ["bias", "weight_orig"]
    assert sorted(dict(em.named_buffers())) == ["weight_mask"]
    assert list(em.state_dict()) == list(tm.state_dict())
    hook = list(em._forward_pre_hooks.values())[-1]
    assert isinstance(hook, eprune.PruningContainer) and len(hook) == 3
    assert [type(h).__name__ for h in hook] == ["L1Unstructured", "LnStructured", "L1Unstructured"]
    assert em.weight.grad_fn is not None and "weight" not in em._parameters
    x = np.ones((1, 6), np.float32)
    np.testing.assert_allclose(em(ember.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(), rtol=1e-6)
    # the pre-hook recomputes weight from weight_orig
    with ember.no_grad():
        em.weight_orig.mul_(2)
    em(ember.tensor(x))
    _same(em.weight, em.weight_orig * em.weight_mask)
    assert eprune.is_pruned(em)
    eprune.remove(em, "weight")
    tprune.remove(tm, "weight")
    assert sorted(dict(em.named_parameters())) == ["bias", "weight"] and not eprune.is_pruned(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert isinstance(em.weight, ember.nn.Parameter)
    assert int((em.weight == 0).sum()) == int((tm.weight == 0).sum())


@pytest.mark.parametrize("amount", [-1, 1.5, "a", 100])
def test_amount_errors_match_torch(amount):
    errs = []
    for lib, prune in ((torch, tprune), (ember, eprune)):
        with pytest.raises(Exception) as info:
            prune.l1_unstructured(lib.nn.Linear(2, 2), "weight", amount=amount)
        errs.append((type(info.value), str(info.value)))
    assert errs[0] == errs[1]


def test_structured_and_remove_errors_match_torch():
    calls = [lambda L, P: P.ln_structured(L.nn.Linear(2, 2), "bias", amount=1, n=1, dim=0),
             lambda L, P: P.ln_structured(L.nn.Linear(2, 2), "weight", amount=1, n=1, dim=3)]
    for call in calls:
        errs = []
        for lib, prune in ((torch, tprune), (ember, eprune)):
            with pytest.raises(Exception) as info:
                call(lib, prune)
            errs.append((type(info.value), str(info.value)))
        assert errs[0] == errs[1]
    m = ember.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="Parameter 'weight' of module Linear"):
        eprune.remove(m, "weight")
    # a failed pruning leaves the parameter where it was
    assert list(dict(m.named_parameters())) == ["weight", "bias"]


def test_global_unstructured_matches_torch():
    masks = []
    for lib, prune in ((torch, tprune), (ember, eprune)):
        a, b = lib.nn.Linear(6, 4), lib.nn.Linear(4, 2)
        with lib.no_grad():
            a.weight.copy_(lib.tensor(W))
            b.weight.copy_(lib.tensor(W[:2, :4] * 0.7))
        prune.global_unstructured([(a, "weight"), (b, "weight")], pruning_method=prune.L1Unstructured, amount=10)
        masks.append((a.weight_mask.numpy(), b.weight_mask.numpy()))
    np.testing.assert_array_equal(masks[0][0], masks[1][0])
    np.testing.assert_array_equal(masks[0][1], masks[1][1])


def test_random_methods_counts_and_custom_mask():
    c = ember.nn.Conv2d(3, 8, 3)
    eprune.random_structured(c, "weight", amount=0.5, dim=0)
    assert int((c.weight_mask.sum(dim=(1, 2, 3)) > 0).sum()) == 4 and int(c.weight_mask.sum()) == 4 * 27
    eprune.random_unstructured(c, "bias", amount=3)
    assert int(c.bias_mask.sum()) == 5
    eprune.custom_from_mask(c, "bias", ember.tensor([1, 0] * 4))
    assert int(c.bias_mask.sum()) <= 4 and c.bias_mask.dtype == ember.float32
    m = ember.nn.Linear(3, 3)
    eprune.identity(m, "weight")
    assert m.weight_mask.tolist() == [[1.0] * 3] * 3

""""Saving and loading models" and the basics series ("Build the neural network", "Datasets & DataLoaders",
"Optimizing model parameters") re-typed with random data, run once with torch and once with ember."""
import os
import tempfile

import numpy as np
import pytest

from test_tutorials_blitz import assert_same_text, fixed_params, run_both  # noqa: F401 (run_both for debugging)


def make_classifier(L):
    nn, F = L.nn, L.nn.functional

    class TheModelClass(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 5)
            self.pool = nn.MaxPool2d(2, 2)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))     # (N, 6, 14, 14)
            x = self.pool(F.relu(self.conv2(x)))     # (N, 16, 5, 5)
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    model = TheModelClass()
    fixed_params(L, model)
    return model


def saving_loading(L):
    nn, optim = L.nn, L.optim
    with tempfile.TemporaryDirectory() as tmp:
        PATH = os.path.join(tmp, "model.pt")
        model = make_classifier(L)
        optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
        x = L.from_numpy(np.random.default_rng(0).uniform(-1, 1, (2, 3, 32, 32)).astype(np.float32))
        print("Model's state_dict:")
        for param_tensor in model.state_dict():
            print(param_tensor, "\t", model.state_dict()[param_tensor].size())
        print("Optimizer's state_dict:")
        for var_name in optimizer.state_dict():
            print(var_name, "\t", optimizer.state_dict()[var_name])
        model(x).sum().backward()
        optimizer.step()
        print({k: sorted(v) for k, v in optimizer.state_dict()["state"].items()})
        print(model.state_dict()["fc3.bias"])

        L.save(model.state_dict(), PATH)
        model2 = make_classifier(L)
        with L.no_grad():
            for p in model2.parameters():
                p.zero_()
        print(model2.load_state_dict(L.load(PATH, weights_only=True)))
        print(model2.eval())
        print(L.equal(model2(x), model.eval()(x)), model2.training, model2.fc1.training)

        # general checkpoint
        EPOCH, LOSS = 5, 0.4
        L.save({'epoch': EPOCH, 'model_state_dict': model.state_dict(),
                'optimizer_state_dict': optimizer.state_dict(), 'loss': LOSS}, PATH)
        model3 = make_classifier(L)
        optimizer3 = optim.SGD(model3.parameters(), lr=0.5)
        checkpoint = L.load(PATH, weights_only=True)
        model3.load_state_dict(checkpoint['model_state_dict'])
        optimizer3.load_state_dict(checkpoint['optimizer_state_dict'])
        epoch, loss = checkpoint['epoch'], checkpoint['loss']
        print(epoch, loss, type(epoch), sorted(checkpoint))
        print(optimizer3)
        print(optimizer3.state_dict()['state'][9]['momentum_buffer'])
        model3.train()

        # several models in one file, and warm-starting from a partial state_dict
        modelA, modelB = make_classifier(L), make_classifier(L)
        L.save({'modelA_state_dict': modelA.state_dict(), 'modelB_state_dict': modelB.state_dict()}, PATH)
        ck = L.load(PATH, weights_only=True)
        print(modelA.load_state_dict(ck['modelA_state_dict']), modelB.load_state_dict(ck['modelB_state_dict']))
        L.save(modelA.state_dict(), PATH)

        class Smaller(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(3, 6, 5)
                self.fc3 = nn.Linear(84, 10)
                self.head = nn.Linear(10, 2)

        modelC = Smaller()
        result = modelC.load_state_dict(L.load(PATH, weights_only=True), strict=False)
        print(result)
        print(result.missing_keys, result.unexpected_keys)
        print(L.equal(modelC.fc3.weight, modelA.fc3.weight))
        try:
            modelC.load_state_dict(L.load(PATH, weights_only=True))
        except RuntimeError as err:
            print("RuntimeError:", err)
        bad = {k: v for k, v in modelA.state_dict().items()}
        bad['fc3.weight'] = L.zeros(10, 3)
        try:
            modelA.load_state_dict(bad)
        except RuntimeError as err:
            print("RuntimeError:", err)
        # a state_dict also round-trips through a file object
        with open(PATH, "wb") as f:
            L.save(optimizer.state_dict(), f)
        with open(PATH, "rb") as f:
            sd = L.load(f)
        print(sd['param_groups'], sorted(sd['state']))


def test_saving_and_loading():
    assert_same_text(saving_loading)


def test_save_entire_model(tmp_path):
    """The tutorial's torch.save(model, PATH): ember refuses before writing and says what to save instead;
    a whole model torch saved loads with weights_only=False (trusted files) and computes the same."""
    import torch

    import ember
    model = ember.nn.Sequential(ember.nn.Linear(4, 3), ember.nn.ReLU(), ember.nn.Flatten(0, 1))
    path = tmp_path / "entire.pt"
    with pytest.raises(TypeError, match=r"of type ember\.nn\.modules\.container\.Sequential.*save obj\.state_dict"):
        ember.save(model, path)
    assert not path.exists()
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Flatten(0, 1)).eval()
    torch.save(t_model, path)
    with pytest.raises(Exception) as t_err:
        torch.load(path)
    with pytest.raises(Exception) as e_err:
        ember.load(path)
    assert isinstance(e_err.value, type(t_err.value))    # pickle.UnpicklingError
    e_model = ember.load(path, weights_only=False)
    assert isinstance(e_model, ember.nn.Sequential) and not e_model.training
    assert repr(e_model) == repr(t_model)
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    with torch.no_grad():
        expected = t_model(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(e_model(ember.from_numpy(x)).detach().numpy(), expected, rtol=1e-6)

""""What is torch.nn really?" re-typed with random images instead of MNIST, run once with torch and once with
ember: the manual model, each refactoring step (functional, Module, Linear, optim, Dataset, DataLoader) and the
CNNs must print the same losses, accuracies and reprs."""
import math

import numpy as np

from test_tutorials_blitz import assert_same_text, fixed_params, run_both  # noqa: F401 (run_both for debugging)

N_TRAIN, N_VALID, BS = 192, 96, 32


def mnist_like(L):
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, (N_TRAIN + N_VALID, 784)).astype(np.float32)
    y = rng.integers(0, 10, N_TRAIN + N_VALID)
    x_train, y_train, x_valid, y_valid = map(L.tensor, (x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]))
    return x_train, y_train, x_valid, y_valid


def from_scratch(L):
    x_train, y_train, x_valid, y_valid = mnist_like(L)
    n, c = x_train.shape
    print(x_train, y_train)
    print(x_train.shape, y_train.min(), y_train.max())
    rng = np.random.default_rng(3)
    weights = L.from_numpy(rng.standard_normal((784, 10)).astype(np.float32)) / math.sqrt(784)
    weights.requires_grad_()
    bias = L.zeros(10, requires_grad=True)

    def log_softmax(x):
        return x - x.exp().sum(-1).log().unsqueeze(-1)

    def model(xb):
        return log_softmax(xb @ weights + bias)

    bs = 64
    xb = x_train[0:bs]
    preds = model(xb)
    print(preds[0], preds.shape)

    def nll(input, target):
        return -input[range(target.shape[0]), target].mean()

    loss_func = nll
    yb = y_train[0:bs]
    print(loss_func(preds, yb))

    def accuracy(out, yb):
        preds = L.argmax(out, dim=1)
        return (preds == yb).float().mean()

    print(accuracy(preds, yb))
    lr, epochs = 0.5, 2
    for epoch in range(epochs):
        for i in range((n - 1) // bs + 1):
            start_i = i * bs
            end_i = start_i + bs
            xb = x_train[start_i:end_i]
            yb = y_train[start_i:end_i]
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            with L.no_grad():
                weights -= weights.grad * lr
                bias -= bias.grad * lr
                weights.grad.zero_()
                bias.grad.zero_()
    print(loss_func(model(xb), yb), accuracy(model(xb), yb))
    F = L.nn.functional
    loss_func = F.cross_entropy

    def model(xb):
        return xb @ weights + bias

    print(loss_func(model(xb), yb), accuracy(model(xb), yb))
    print(weights.grad.abs().sum(), bias.grad, weights.is_leaf)


def refactorings(L):
    nn, F, optim = L.nn, L.nn.functional, L.optim
    from_torch_data = L.utils.data
    x_train, y_train, x_valid, y_valid = mnist_like(L)
    n = x_train.shape[0]
    loss_func = F.cross_entropy
    bs, lr, epochs = 64, 0.5, 2

    def accuracy(out, yb):
        return (L.argmax(out, dim=1) == yb).float().mean()

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(L.randn(784, 10) / math.sqrt(784))
            self.bias = nn.Parameter(L.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    class Mnist_Linear(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)

        def forward(self, xb):
            return self.lin(xb)

    for Model in (Mnist_Logistic, Mnist_Linear):
        model = Model()
        fixed_params(L, model, scale=0.03)
        print(model)
        print(loss_func(model(x_train[:bs]), y_train[:bs]))
        for epoch in range(epochs):
            for i in range((n - 1) // bs + 1):
                xb, yb = x_train[i * bs: i * bs + bs], y_train[i * bs: i * bs + bs]
                loss = loss_func(model(xb), yb)
                loss.backward()
                with L.no_grad():
                    for p in model.parameters():
                        p -= p.grad * lr
                    model.zero_grad()
        print(loss_func(model(x_train[:bs]), y_train[:bs]), accuracy(model(x_train[:bs]), y_train[:bs]))
        print([p.grad for p in model.parameters()][1])

    def get_model():
        model = Mnist_Linear()
        fixed_params(L, model, scale=0.03)
        return model, optim.SGD(model.parameters(), lr=lr)

    model, opt = get_model()
    print(opt)
    train_ds = from_torch_data.TensorDataset(x_train, y_train)
    print(len(train_ds), [t.shape for t in train_ds[0]], train_ds[3:5][1])
    train_dl = from_torch_data.DataLoader(train_ds, batch_size=bs)
    print(len(train_dl))
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss = loss_func(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
        model.eval()
        with L.no_grad():
            valid_loss = sum(loss_func(model(x_valid[i:i + bs]), y_valid[i:i + bs])
                             for i in range(0, N_VALID, bs))
        print(epoch, valid_loss / 3, valid_loss.requires_grad)

    # shuffling: each epoch is a permutation of the data, batches of the same sizes
    shuffled = from_torch_data.DataLoader(train_ds, batch_size=50, shuffle=True)
    for epoch in range(2):
        sizes, labels = [], []
        for xb, yb in shuffled:
            sizes.append(tuple(xb.shape))
            labels.append(yb)
        print(sizes, L.cat(labels).sort().values.equal(y_train.sort().values), labels[0].dtype)


def get_data(L, train_ds, valid_ds, bs, shuffle=False):
    DataLoader = L.utils.data.DataLoader
    return DataLoader(train_ds, batch_size=bs, shuffle=shuffle), DataLoader(valid_ds, batch_size=bs * 2)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(L, epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with L.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)


def cnns(L):
    nn, F, optim = L.nn, L.nn.functional, L.optim
    TensorDataset = L.utils.data.TensorDataset
    x_train, y_train, x_valid, y_valid = mnist_like(L)
    x_train, y_train, x_valid, y_valid = x_train[:96], y_train[:96], x_valid[:64], y_valid[:64]
    train_dl, valid_dl = get_data(L, TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid), BS)
    loss_func = F.cross_entropy

    class Mnist_CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
            self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

        def forward(self, xb):
            xb = xb.view(-1, 1, 28, 28)              # (N, 1, 28, 28)
            xb = F.relu(self.conv1(xb))              # (N, 16, 14, 14)
            xb = F.relu(self.conv2(xb))              # (N, 16, 7, 7)
            xb = F.relu(self.conv3(xb))              # (N, 10, 4, 4)
            xb = F.avg_pool2d(xb, 4)                 # (N, 10, 1, 1)
            return xb.view(-1, xb.size(1))

    lr = 0.1
    model = Mnist_CNN()
    fixed_params(L, model, scale=0.3)
    print(model)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(L, 2, model, loss_func, opt, train_dl, valid_dl)

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    def preprocess(x):
        return x.view(-1, 1, 28, 28)

    model = nn.Sequential(
        Lambda(preprocess),
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.AvgPool2d(4),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    fixed_params(L, model, scale=0.3)
    print(model)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(L, 2, model, loss_func, opt, train_dl, valid_dl)

    class WrappedDataLoader:
        def __init__(self, dl, func):
            self.dl = dl
            self.func = func

        def __len__(self):
            return len(self.dl)

        def __iter__(self):
            for b in self.dl:
                yield self.func(*b)

    def preprocess2(x, y):
        return x.view(-1, 1, 28, 28), y

    train_w, valid_w = WrappedDataLoader(train_dl, preprocess2), WrappedDataLoader(valid_dl, preprocess2)
    model = nn.Sequential(
        nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        Lambda(lambda x: x.view(x.size(0), -1)),
    )
    fixed_params(L, model, scale=0.3)
    print(model, len(train_w))
    opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    fit(L, 2, model, loss_func, opt, train_w, valid_w)
    print(opt.state_dict()["state"][0]["momentum_buffer"].shape)


def test_from_scratch():
    assert_same_text(from_scratch, rtol=1e-4)


def test_refactorings():
    assert_same_text(refactorings, rtol=1e-4)


def test_cnns_and_fit():
    assert_same_text(cnns, rtol=1e-4)

"""The basics series ("Datasets & DataLoaders", "Build the neural network", "Optimizing model parameters")
re-typed with random images, run once with torch and once with ember; the printouts must be the same."""
import numpy as np

from test_tutorials_blitz import assert_same_text, fixed_params, run_both  # noqa: F401 (run_both for debugging)


def fashion_like(L, n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(0, 1, (n, 1, 28, 28)).astype(np.float32), rng.integers(0, 10, n)


def make_dataset_class(L):
    class CustomImageDataset(L.utils.data.Dataset):
        def __init__(self, images, labels, transform=None, target_transform=None):
            self.img_labels = labels
            self.images = images
            self.transform = transform
            self.target_transform = target_transform

        def __len__(self):
            return len(self.img_labels)

        def __getitem__(self, idx):
            image = L.from_numpy(self.images[idx])
            label = int(self.img_labels[idx])
            if self.transform:
                image = self.transform(image)
            if self.target_transform:
                label = self.target_transform(label)
            return image, label
    return CustomImageDataset


def make_network(L):
    nn = L.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 64),
                nn.ReLU(),
                nn.Linear(64, 64),
                nn.ReLU(),
                nn.Linear(64, 10),
            )

        def forward(self, x):
            x = self.flatten(x)                       # (N, 784)
            return self.linear_relu_stack(x)          # (N, 10)

    model = NeuralNetwork()
    fixed_params(L, model, scale=0.05)
    return model


def datasets_and_model(L):
    nn = L.nn
    images, labels = fashion_like(L, 40, 0)
    Dataset = make_dataset_class(L)
    one_hot = L.nn.functional.one_hot
    data = Dataset(images, labels, target_transform=lambda y: L.zeros(10, dtype=L.float).scatter_(
        0, L.tensor(y), value=1))
    img, label = data[3]
    print(img.shape, img.dtype, label, one_hot(L.tensor(labels[3]), 10))
    loader = L.utils.data.DataLoader(Dataset(images, labels), batch_size=16, shuffle=False)
    train_features, train_labels = next(iter(loader))
    print(f"Feature batch shape: {train_features.size()}")
    print(f"Labels batch shape: {train_labels.size()}")
    print(train_labels, train_labels.dtype)
    img = train_features[0].squeeze()
    print(img.shape, float(img.sum()))
    print([tuple(x.shape) for x, _ in loader], len(loader), len(loader.dataset))
    shuffled = L.utils.data.DataLoader(Dataset(images, labels), batch_size=16, shuffle=True, drop_last=True)
    print(len(shuffled), [y.shape for _, y in shuffled])

    device = "cpu"
    print(f"Using {device} device")
    model = make_network(L).to(device)
    print(model)
    X = L.from_numpy(images[:1, 0])
    logits = model(X)
    pred_probab = nn.Softmax(dim=1)(logits)
    y_pred = pred_probab.argmax(1)
    print(f"Predicted class: {y_pred}")
    input_image = L.from_numpy(images[:3, 0])
    print(input_image.size())
    flatten = nn.Flatten()
    flat_image = flatten(input_image)
    print(flat_image.size())
    layer1 = nn.Linear(in_features=28 * 28, out_features=20)
    fixed_params(L, layer1, scale=0.05)
    hidden1 = layer1(flat_image)
    print(hidden1.size())
    print(f"Before ReLU: {hidden1}\n\n")
    hidden1 = nn.ReLU()(hidden1)
    print(f"After ReLU: {hidden1}")
    seq_modules = nn.Sequential(flatten, layer1, nn.ReLU(), nn.Linear(20, 10))
    fixed_params(L, seq_modules, scale=0.05)
    logits = seq_modules(input_image)
    softmax = nn.Softmax(dim=1)
    pred_probab = softmax(logits)
    print(pred_probab, softmax, seq_modules)
    print(f"Model structure: {model}\n\n")
    for name, param in model.named_parameters():
        print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")


def train_loop(L, dataloader, model, loss_fn, optimizer, batch_size):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 2 == 0:
            loss, current = loss.item(), batch * batch_size + len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def run_test_loop(L, dataloader, model, loss_fn):
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with L.no_grad():
        for X, y in dataloader:
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(L.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


def optimizing(L):
    Dataset = make_dataset_class(L)
    train_data, test_data = Dataset(*fashion_like(L, 96, 1)), Dataset(*fashion_like(L, 48, 2))
    learning_rate, batch_size, epochs = 1e-1, 16, 2
    train_dataloader = L.utils.data.DataLoader(train_data, batch_size=batch_size)
    test_dataloader = L.utils.data.DataLoader(test_data, batch_size=batch_size)
    model = make_network(L)
    loss_fn = L.nn.CrossEntropyLoss()
    print(loss_fn)
    optimizer = L.optim.SGD(model.parameters(), lr=learning_rate)
    for t in range(epochs):
        print(f"Epoch {t+1}\n-------------------------------")
        train_loop(L, train_dataloader, model, loss_fn, optimizer, batch_size)
        run_test_loop(L, test_dataloader, model, loss_fn)
    print("Done!")
    # the quickstart's variant: Adam, then a prediction on one sample
    optimizer = L.optim.Adam(model.parameters(), lr=1e-3)
    print(optimizer)
    train_loop(L, train_dataloader, model, loss_fn, optimizer, batch_size)
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with L.no_grad():
        pred = model(x)
        predicted, actual = classes[pred[0].argmax(0)], classes[y]
        print(f'Predicted: "{predicted}", Actual: "{actual}"')


def test_datasets_and_build_model():
    assert_same_text(datasets_and_model, rtol=1e-4)


def test_optimizing_model_parameters():
    assert_same_text(optimizing, rtol=1e-4)


def zero_d_index_scatter_gather(L):
    # the Datasets tutorial's one-hot target_transform: zeros(10).scatter_(0, tensor(y), value=1)
    print(L.zeros(10).scatter_(0, L.tensor(3), value=1), L.zeros(10).scatter(0, L.tensor(3), L.tensor(5.)))
    print(L.zeros(10).gather(0, L.tensor(3)), L.tensor(4.).scatter(0, L.tensor(0), 2.))
    print(L.zeros(3).scatter_add(0, L.tensor(1), L.tensor(2.)), L.tensor(4.).gather(0, L.tensor(0)))
    print(L.zeros(3).scatter_reduce(0, L.tensor(1), L.tensor(2.), "amax"))
    x, s = L.zeros(4, requires_grad=True), L.tensor(3., requires_grad=True)
    (x.scatter(0, L.tensor(2), s) * L.arange(4.)).sum().backward()
    z = L.arange(4., requires_grad=True)
    z.gather(0, L.tensor(1)).backward()
    print(x.grad, s.grad, z.grad)


def test_zero_d_index_scatter_gather():
    assert_same_text(zero_d_index_scatter_gather)

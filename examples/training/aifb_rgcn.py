"""Entity classification on AIFB with a 2-layer R-GCN trained through
Hector's PyTorch modules (``hector.nn.RGCNConv``), in the setup of the
R-GCN paper (Schlichtkrull et al. 2018, section 5.1): the graph with
literals kept and reverse edges added (8,285 nodes, 58,086 edges, 90
relations), a featureless first layer, 16 hidden units, ReLU, no basis
decomposition, no weight decay, full-graph Adam (lr 0.01) for 50 epochs,
the paper's 140 / 36 train / test split.  Forward and backward of both
layers run Hector's compiled code; torch does the loss and the optimizer.

    /usr/bin/python3 examples/training/aifb_rgcn.py            # 5 seeds
    /usr/bin/python3 examples/training/aifb_rgcn.py --seeds 1 --epochs 10

Prints the test accuracy of each seed, their mean, and the time per epoch;
``--min-accuracy A`` makes the exit status 1 when the mean is below A.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "python"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from hector import nn as hnn  # noqa: E402
from hector.data import load_dataset  # noqa: E402


class RGCN(torch.nn.Module):
    def __init__(self, num_nodes, hidden, num_classes, num_relations):
        super().__init__()
        self.conv1 = hnn.RGCNConv(num_nodes, hidden, num_relations)
        self.conv2 = hnn.RGCNConv(hidden, num_classes, num_relations)

    def forward(self, graph):
        return self.conv2(torch.relu(self.conv1(None, graph)), graph)


def train(graph, labels, train_idx, test_idx, seed, args):
    torch.manual_seed(seed)
    num_classes = int(labels.max()) + 1
    model = RGCN(graph.num_nodes, args.hidden, num_classes,
                 graph.num_relations)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr,
                           weight_decay=args.l2)
    model(graph)  # compiles both layers (cached on disk after the first run)
    start = time.perf_counter()
    for _ in range(args.epochs):
        opt.zero_grad()
        out = model(graph)
        loss = torch.nn.functional.cross_entropy(out[train_idx],
                                                 labels[train_idx])
        loss.backward()
        opt.step()
    per_epoch = (time.perf_counter() - start) / args.epochs
    with torch.no_grad():
        pred = model(graph).argmax(1)
    acc = float((pred[test_idx] == labels[test_idx]).float().mean())
    train_acc = float((pred[train_idx] == labels[train_idx]).float().mean())
    return acc, train_acc, float(loss), per_epoch


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=50)
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--min-accuracy", type=float, default=None)
    args = ap.parse_args(argv)
    # torch's own ops (loss, optimizer, projections) on every core, as the
    # compiled layers use.
    torch.set_num_threads(os.cpu_count() or 1)

    data = load_dataset("aifb")
    graph = hnn.Graph(data)
    labels = torch.as_tensor(data.labels)
    train_idx = torch.as_tensor(data.node_splits["train"])
    test_idx = torch.as_tensor(data.node_splits["test"])
    print(f"aifb: {graph.num_nodes} nodes, {graph.num_edges} edges, "
          f"{graph.num_relations} relations; {len(train_idx)} train, "
          f"{len(test_idx)} test; torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    accs = []
    for seed in range(args.seeds):
        acc, train_acc, loss, per_epoch = train(graph, labels, train_idx,
                                                test_idx, seed, args)
        accs.append(acc)
        print(f"  seed {seed}: test accuracy {acc:.4f} (train {train_acc:.4f},"
              f" final loss {loss:.4f}), {per_epoch * 1e3:.1f} ms per epoch")
    mean = float(np.mean(accs))
    print(f"mean test accuracy over {args.seeds} seeds: {mean:.4f} "
          f"(std {float(np.std(accs)):.4f}; R-GCN paper: 0.9583)")
    if args.min_accuracy is not None and mean < args.min_accuracy:
        print(f"FAIL: mean below {args.min_accuracy}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

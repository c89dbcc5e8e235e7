"""``make_dot``: the autograd graph behind a tensor as Graphviz DOT source.

    dot = make_dot(loss, params=dict(model.named_parameters()))
    dot.save("graph.dot"); dot.render("graph", format="png")   # render needs Graphviz's `dot` program
"""
from __future__ import annotations

import os
import shutil
import subprocess

__all__ = ["make_dot", "Digraph"]


class Digraph:
    """DOT source with ``save`` and ``render`` (a tiny stand-in for the ``graphviz`` package's class)."""

    def __init__(self, name="autograd"):
        self.name = name
        self.body = []

    def node(self, ident, label, **attrs):
        extra = "".join(f", {k}={_quote(v)}" for k, v in attrs.items())
        self.body.append(f"\t{ident} [label={_quote(label)}{extra}]")

    def edge(self, a, b):
        self.body.append(f"\t{a} -> {b}")

    @property
    def source(self):
        head = [f"digraph {self.name} {{", '\tgraph [rankdir=TB]',
                '\tnode [shape=box, style=filled, fillcolor=lightgray, fontname=monospace, fontsize=10]']
        return "\n".join(head + self.body + ["}"]) + "\n"

    def __str__(self):
        return self.source

    def _repr_svg_(self):  # notebooks
        exe = shutil.which("dot")
        if exe is None:
            return None
        return subprocess.run([exe, "-Tsvg"], input=self.source.encode(), capture_output=True).stdout.decode()

    def save(self, filename):
        with open(filename, "w") as f:
            f.write(self.source)
        return filename

    def render(self, filename="graph", format="png", cleanup=False):
        """Write ``filename`` (DOT source) and ``filename.format`` (drawn by Graphviz's ``dot``)."""
        exe = shutil.which("dot")
        if exe is None:
            raise RuntimeError("render() needs the Graphviz 'dot' program, which was not found on PATH. Install "
                               "Graphviz (e.g. `apt-get install graphviz`), or use .save(path) / .source to get "
                               "the DOT text.")
        self.save(filename)
        out = f"{filename}.{format}"
        subprocess.run([exe, f"-T{format}", filename, "-o", out], check=True)
        if cleanup:
            os.remove(filename)
        return out


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _shape(t):
    return "(" + ", ".join(str(s) for s in t.shape) + ")"


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """Graphviz DOT for the graph that produced ``var`` (a tensor or a tuple of tensors).

    Op nodes are gray, leaves that are ``params`` are blue and named, other leaves requiring grad are
    labelled by shape, outputs are green.  ``show_saved`` adds the tensors each op saved for backward.
    """
    from ..autograd.graph import AccumulateGrad
    from ..tensor import Tensor

    names = {id(v): k for k, v in (params or {}).items()}
    dot = Digraph()
    seen = set()
    outputs = var if isinstance(var, (tuple, list)) else (var,)

    def node_id(obj):
        return f"n{id(obj)}"

    def add(fn):
        if fn is None or id(fn) in seen:
            return
        seen.add(id(fn))
        if isinstance(fn, AccumulateGrad):
            v = fn.variable
            label = f"{names.get(id(v), '')}\n{_shape(v)}" if v is not None else "AccumulateGrad"
            dot.node(node_id(fn), label.strip(), fillcolor="lightblue")
            return
        dot.node(node_id(fn), fn.name())
        if show_saved:
            for i, t in enumerate(getattr(fn, "_saved", ()) or ()):
                if isinstance(t, Tensor):
                    sid = f"s{id(fn)}_{i}"
                    dot.node(sid, f"saved {i}\n{_shape(t)}", fillcolor="orange")
                    dot.edge(sid, node_id(fn))
        for nxt, _ in fn.next_functions:
            if nxt is not None:
                dot.edge(node_id(nxt), node_id(fn))
                add(nxt)

    for out in outputs:
        if not isinstance(out, Tensor):
            continue
        oid = f"o{id(out)}"
        dot.node(oid, f"output\n{_shape(out)}", fillcolor="darkolivegreen1")
        if out.grad_fn is not None:
            dot.edge(node_id(out.grad_fn), oid)
            add(out.grad_fn)
    return dot

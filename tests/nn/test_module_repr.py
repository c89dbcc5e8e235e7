"""MODULE-SPEC §14: Module.__repr__ / extra_repr layout."""
from test_module_helpers import Lin, same


def test_layouts():
    def fn(T):
        class Empty(T.nn.Module):
            pass

        class OneLine(T.nn.Module):
            def extra_repr(self):
                return "k=3, mode='x'"

        class MultiLine(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.child = OneLine()

            def extra_repr(self):
                return "first\nsecond"

        class Deep(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = MultiLine()
                self.b = T.nn.Sequential(Lin(T)(2, 2), MultiLine())
                self.add_module("nothing", None)
        return repr(Empty()), repr(OneLine()), repr(MultiLine()), repr(Deep()), str(Deep())
    e = same(fn)
    assert "(nothing): None" in e[1][3]


def test_extra_repr_with_children_and_renamed_class():
    def fn(T):
        class Block(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = Lin(T)(3, 4)

            def extra_repr(self):
                return "dropout=0.1"

            def _get_name(self):
                return "RenamedBlock"
        return repr(Block()), repr(T.nn.Sequential(Block(), Block()))
    same(fn)

"""The rewrite of a parsed template that spends the work of its loops, macros and blocks."""

from __future__ import annotations

from jinja2 import nodes
from jinja2.visitor import NodeTransformer


class _Metered(NodeTransformer):
    """Rewrites a parsed template so that repeated work is spent: loops, macros, blocks.

    A loop's body, a macro's, a `call` block's and a block's first spend their node count
    each time they run; a loop's items are counted (with its `if` filter); `a ~ b` becomes
    the (bounded) `join` filter, since Jinja joins it out of the sandbox's reach.
    """

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        units = nodes.Const(1 + _nodes_in(node.test) if node.test else 1)
        node.iter = _environment_call("counted", node.iter, units, lineno=node.lineno)
        node.body.insert(0, _spending(node.body, node.lineno))
        return node

    def visit_Macro(self, node: nodes.Macro) -> nodes.Node:
        return self._spending_body(node)

    def visit_CallBlock(self, node: nodes.CallBlock) -> nodes.Node:
        return self._spending_body(node)

    def visit_Block(self, node: nodes.Block) -> nodes.Node:
        return self._spending_body(node)

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        joined = nodes.List(node.nodes, lineno=node.lineno)
        return nodes.Filter(joined, "join", [], [], None, None, lineno=node.lineno)

    def _spending_body(self, node: nodes.Macro | nodes.CallBlock | nodes.Block) -> nodes.Node:
        self.generic_visit(node)
        node.body.insert(0, _spending(node.body, node.lineno))
        return node


def _nodes_in(node: nodes.Node) -> int:
    return 1 + sum(1 for _ in node.find_all(nodes.Node))


def _spending(body: list[nodes.Node], lineno: int) -> nodes.Node:
    units = nodes.Const(sum(map(_nodes_in, body)) + 1)
    return nodes.ExprStmt(_environment_call("spend", units, lineno=lineno), lineno=lineno)


def _environment_call(name: str, *args: nodes.Node, lineno: int) -> nodes.Call:
    function = nodes.EnvironmentAttribute(name, lineno=lineno)
    return nodes.Call(function, list(args), [], None, None, lineno=lineno)

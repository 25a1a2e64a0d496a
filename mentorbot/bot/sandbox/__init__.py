"""A Jinja sandbox that bounds what a template may compute, for text people write themselves.

Jinja's own sandbox keeps a template away from Python's insides, but not from building a
100 MB string (`'9' * 99999999`), a number of a billion digits (`9 ** 999999999`) or a
loop of a billion turns. `BoundedSandbox` refuses each of these with `TooCostly` before
the value is made, from its would-be size:

- every value a template makes (a string, a list, a number as printed) fits `limit`
  characters; an operator, filter or method that would make a longer one is refused
  from its arguments (`'9' * n` from the string's length and n), and anything else is
  checked as it is made;
- a `range` counts up to `limit` numbers;
- a render spends at most `budget` units: one for each node of a loop's body at every turn
  (likewise a macro's or a block's body at every call), and one for each character a
  filter, method or operator is given or makes. Time and memory follow from that bound.

Its modules:

- `environment`: `BoundedSandbox`, the sandbox itself: its render, its budget and its hooks.
- `costs`: `TooCostly`, the refusal, and `size`, what a value costs.
- `bounds`: how many characters an operator, a method or a filter would make.
- `metering`: the rewrite of a parsed template that spends its loops', macros' and blocks' work.
- `formatting`: `str.format`, each field's width checked before it is padded to it.
"""

"""The layers one environment is composed of, each a function from the typed outputs of the layers below it to its own.

In dependency order: account -> encryption -> network -> security -> data -> secrets -> registry ->
load_balancing -> compute, then the stack outputs. Each layer creates its constructs directly in the stack it is
given, under the same construct ids as before the split, so logical ids (and the synthesized JSON) do not depend
on how the code is grouped. A layer reads only the output dataclasses it is handed, never another layer's constructs.
"""

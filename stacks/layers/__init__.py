"""The layers one environment is composed of, each a function from the typed outputs of the layers below it to its own.

`stacks/platform.py` `compose` calls them in dependency order: account -> encryption -> registry -> network ->
security -> data -> secrets -> load_balancing -> compute, then the stack outputs. Each layer creates its constructs
directly in the stack it is given (the environment's one stack, or its own `{env}-{layer}` stack), under the same
construct ids either way, so logical ids (and resource addresses) do not depend on the state layout. A layer reads
only the output dataclasses it is handed, never another layer's constructs, and never `depends_on` a resource of
another layer's stack.
"""

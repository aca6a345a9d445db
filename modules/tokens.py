"""Whether a string holds a cdktf token, answered in Python where that is certain (no jsii round trip).

cdktf encodes a string token as `${TfToken[<key>]}` and `Token.is_unresolved(text)` is a regular-expression test
for that marker in the Node kernel: one round trip per call (the reference synth asked 100 times). The same test
runs here; only a string that has the marker's prefix but not its whole shape (which this project never builds)
goes to the kernel.
"""

from __future__ import annotations

import re

from cdktf import Token

STRING_TOKEN = re.compile(r"\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}")
"""cdktf 0.21's STRING_TOKEN_REGEX (lib/tokens/private/encoding.js): the marker around a key of VALID_KEY_CHARS."""
MARKER = "TfToken["


def is_unresolved(text: str) -> bool:
    """`cdktf.Token.is_unresolved(text)` for a string."""
    if STRING_TOKEN.search(text):
        return True
    if MARKER not in text:
        return False
    return bool(Token.is_unresolved(text))

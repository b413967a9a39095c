"""A chat template with ``{% generation %}`` markers that renders byte-identically to a ChatML one.

TRL's ``assistant_only_loss`` needs such markers, and neither SmolLM2's
template nor our tiny model's has them. Both render every message as
``OPEN + role + "\\n" + content + CLOSE + "\\n"`` (SmolLM2 also puts a default
system turn in front when the conversation has none). We read the turn
markers and that default system turn off the tokenizer's own rendering, so no
model's text is copied here, and mark what warmth trains on for an assistant
turn: its content and the end-of-turn marker, not the newline after it.
"""

from __future__ import annotations

import json

# (turn opener, end-of-turn marker) of the template families this supports.
FAMILIES = [("<|im_start|>", "<|im_end|>"), ("<|turn|>", "<|eot|>")]
_PROBE = "\x00probe\x00"


def _literal(text: str) -> str:
    """A Jinja string literal for ``text`` (Jinja unescapes string literals like Python)."""
    return json.dumps(text, ensure_ascii=True)


def marked_template(tokenizer) -> str:
    """``tokenizer``'s ChatML-family template rewritten with ``{% generation %}`` around assistant turns."""
    probe = tokenizer.apply_chat_template([{"role": "user", "content": _PROBE}], tokenize=False)
    for opener, close in FAMILIES:
        turn = f"{opener}user\n{_PROBE}{close}\n"
        if probe.endswith(turn):
            default_system = probe[: -len(turn)]
            break
    else:
        raise ValueError(f"not a ChatML-family template (rendered {probe!r})")
    o, c, nl = _literal(opener), _literal(close), _literal("\n")
    default = (f"{{% if loop.first and message['role'] != 'system' %}}{{{{ {_literal(default_system)} }}}}"
               "{% endif %}") if default_system else ""
    return (
        "{% for message in messages %}" + default
        + "{% if message['role'] == 'assistant' %}"
        + f"{{{{ {o} + 'assistant' + {nl} }}}}{{% generation %}}{{{{ message['content'] + {c} }}}}"
        + f"{{% endgeneration %}}{{{{ {nl} }}}}"
        + f"{{% else %}}{{{{ {o} + message['role'] + {nl} + message['content'] + {c} + {nl} }}}}{{% endif %}}"
        + "{% endfor %}"
        + f"{{% if add_generation_prompt %}}{{{{ {o} + 'assistant' + {nl} }}}}{{% endif %}}"
    )

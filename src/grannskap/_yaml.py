"""YAML for grannskap's own input files (programmes, goals, index profiles): safe and bounded.

``yaml.safe_load`` expands aliases: a 450-byte file of nested ``&a [*b, *b, ...]`` anchors
grew past 6 GB (issue 18, finding 5, the "billion laughs" of YAML). None of our formats needs
anchors or aliases, so :func:`safe_load` refuses them, and refuses text over
:data:`MAX_BYTES`; both as :class:`yaml.YAMLError`, which every caller already turns into a
one-line error naming the file.
"""

from __future__ import annotations

from typing import Any

__all__ = ["safe_load", "MAX_BYTES"]

#: the largest YAML input accepted (the shipped programme file is 12 kB)
MAX_BYTES = 5_000_000


def safe_load(text: str, max_bytes: int = MAX_BYTES) -> Any:
    """``yaml.safe_load`` without aliases and without inputs over ``max_bytes``."""
    import yaml

    if len(text) > max_bytes:
        raise yaml.YAMLError(
            f"the file has {len(text):,} characters, more than the {max_bytes:,} allowed for a "
            "YAML input file (grannskap._yaml.MAX_BYTES)"
        )

    class NoAliasLoader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"YAML aliases (*{event.anchor}) are not allowed in grannskap's input "
                    "files (alias expansion can use unbounded memory); write the values out",
                    event.start_mark,
                )
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=NoAliasLoader)  # noqa: S506 - a SafeLoader subclass

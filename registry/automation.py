"""Which retention rules the system applies by itself: what the statement may call automatic.

The register does not import the retention engine (DESIGN.md import directions). The engine
tells the register, once its app is ready, which rule codes have a purge target
(``purge_targets_register``); a rule is *automated* when it has one and its action deletes or
anonymises. The statement says "deleted automatically" only for those (GDPR Art. 5(1)(a),
13(2)(a): a promise no code keeps is not transparent information).
"""

from __future__ import annotations

from collections.abc import Iterable

_purge_targets: set[str] = set()


def purge_targets_register(rule_codes: Iterable[str]) -> None:
    """Called by the retention engine (RetentionConfig.ready) with its purge targets' codes."""
    _purge_targets.update(rule_codes)


def purge_target_codes() -> frozenset[str]:
    return frozenset(_purge_targets)


def rule_is_automated(*, code: str, action: str) -> bool:
    """True when the system itself deletes or anonymises the rule's data when it ends."""
    return action in ("delete", "anonymise") and code in _purge_targets

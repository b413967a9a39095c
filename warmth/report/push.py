"""Push a saved W&B Report spec later: ``python -m warmth.report.push DIR/wandb_report.json``."""

from __future__ import annotations

import sys

from warmth.errors import WarmthError


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m warmth.report.push DIR/wandb_report.json", file=sys.stderr)
        return 2
    from warmth.report.wandb_report import push

    try:
        print(push(argv[0]))
    except WarmthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - network/auth failures, one line for the user
        print(f"error: could not save the W&B report ({type(exc).__name__}: {exc})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

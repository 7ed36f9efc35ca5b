"""Run the ``convbook`` command: ``python -m convbook 3x28x28 conv:16:3:1:1``."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())

"""`python -m rlm`: same as the `rlm` console script."""

from rlm.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

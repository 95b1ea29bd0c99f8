"""`python -m audit …` is `xxgk-audit …`."""

from audit.cli import main

if __name__ == "__main__":  # pragma: no cover
    main(prog_name="xxgk-audit")

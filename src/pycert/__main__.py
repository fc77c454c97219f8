"""Lets `python -m pycert` behave exactly like the console script."""

from pycert.cli import main

if __name__ == "__main__":
    main()

"""``python -m simulator.bdd`` - the same as ``rsim bdd``."""

from simulator.bdd.command import bdd_command

if __name__ == "__main__":
    bdd_command()

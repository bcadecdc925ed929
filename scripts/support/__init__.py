"""The library behind the measurement scripts: what more than one of them needs.

The scripts in ``scripts/`` are thin command-line front ends; none imports another
(import-linter checks it). What they share lives here: the real clips and their
hand-made truth, the gallery clip's geometry, ``--set`` overrides of the tracker's
constants, argument parsing, the weights a measurement runs, videos written whole or
not at all, and refusing bad input as the app's commands do (one line, exit code 2).
"""

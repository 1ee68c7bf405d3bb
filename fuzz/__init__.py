"""Fuzzing of the whole policylab build (see ``fuzz/run.py`` and the README's development section).

``fuzz.mutate`` makes inputs -- mutations of the seed pages -- from a seeded ``random.Random``;
``fuzz.run`` feeds them through ``policylab build`` in batches and saves any input that crashes
the build as a fixture under ``tests/fixtures/fuzz/`` (replayed by ``tests/test_fuzz_short.py``).
"""

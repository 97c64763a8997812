"""The command line: argument parsing, the result cache, one module per command."""


def command() -> None:
    """The ``nodecfg`` command (and ``python -m nodecfg``): nodecfg.cli.main.run, in a process that
    collects cyclic garbage every 50,000 allocations instead of every 700.

    A run frees nearly everything it allocates by reference counting, yet at
    Python's default the collector ran some 20 times in a cold ``check`` and 35
    in ``check --each`` of 50 files, walking the imported modules' objects each
    time: 5 to 8 % of the run (benchmarks/bench_corpus.py).  mypy raises its
    threshold for the same reason.  Cycles are still collected, only less often,
    so memory stays bounded in a long run (``--each`` over thousands of files,
    the language server).  It is set before the command's modules are imported,
    which is most of the allocation, and only here: a library caller's process
    keeps its own setting.
    """
    import gc

    gc.set_threshold(50_000, 20, 20)
    from nodecfg.cli.main import run

    run()

"""``nodecfg check --each`` over many sources: the share of forked processes.

Imported only when a run has ``check.PARALLEL_THRESHOLD`` groups or more.
"""
import os
import pickle
import sys
import tempfile

from nodecfg.cli.commands._common import EXIT_USAGE


def in_pool(args, groups, check_group):
    """``check_group`` (check.py _check_group) for every group, shared between this process and
    forked children, in order.

    None where forking is not available.  The first group runs here before forking, so the
    modules the pipeline imports on first use (the YAML parser, the rules) are loaded once and
    shared.  Every process takes every n-th group; a child writes each outcome, pickled, to an
    unlinked scratch file as it finishes it (a pipe would stall it once full, while this process
    checks its own share), and this process reads them after the child exits.  Plain fork and
    pickle, not concurrent.futures: its imports, threads and queues cost more CPU than a fork.
    A child that dies (the out-of-memory killer, ``kill -9``) leaves its outcomes cut short:
    the groups it had not written get NC140 and the run exits 2.  A fork that fails (a process
    limit) leaves its share to this process.
    """
    if not hasattr(os, "fork") or "-" in args.sources:
        return None
    processes = min(os.cpu_count() or 1, 4)
    if processes < 2:
        return None
    outcomes = [check_group(args, groups[0])]
    shares = [range(first, len(groups), processes) for first in range(1, processes + 1)]
    mine = list(shares[0])
    children = []  # (pid, scratch file, the indices of its groups)
    try:
        for share in shares[1:]:
            child = _fork_share(args, [groups[index] for index in share], check_group)
            if child is None:
                mine += share  # fork failed: checked here
            else:
                children.append((*child, share))
        outcomes += [None] * (len(groups) - 1)
        for index in sorted(mine):
            outcomes[index] = check_group(args, groups[index])
        while children:
            pid, scratch, share = children[0]
            os.waitpid(pid, 0)
            written = _read_outcomes(scratch, len(share))
            for index, outcome in zip(share, written + [_lost(groups[index]) for index in share[len(written):]]):
                if isinstance(outcome, BaseException):  # the child's internal error, raised as here
                    raise outcome
                outcomes[index] = outcome
            children.pop(0)
    finally:
        for pid, scratch, _ in children:  # interrupted (Ctrl-C) or raised: no child outlives the run
            _end_child(pid)
            scratch.close()
    return outcomes


def _fork_share(args, share, check_group):
    """(pid, scratch file) of a child checking ``share``, or None when fork fails."""
    scratch = tempfile.TemporaryFile()
    sys.stdout.flush()  # what is buffered here must not be written twice
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:
        scratch.close()
        return None
    if pid:
        return pid, scratch
    try:
        _check_chunk(args, share, check_group, scratch)
    finally:
        for stream in (sys.stdout, sys.stderr, scratch):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - the child ends regardless
                pass
        os._exit(0)  # no interpreter teardown, no parent's atexit handlers


def _check_chunk(args, share, check_group, scratch) -> None:
    """A child's share.  NODECFG_TEST_KILL_WORKER=NAME: the child given NAME kills itself (tests only)."""
    victim = os.environ.get("NODECFG_TEST_KILL_WORKER")
    for group in share:
        if victim and any(source.endswith(victim) for source in group[0]):
            import signal

            os.kill(os.getpid(), signal.SIGKILL)
        try:
            outcome = check_group(args, group)
        except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
            outcome = error
        try:
            pickle.dump(outcome, scratch, pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - an error that cannot be pickled
            pickle.dump(RuntimeError(repr(outcome)), scratch, pickle.HIGHEST_PROTOCOL)
        scratch.flush()
        if isinstance(outcome, Exception):
            return


def _read_outcomes(scratch, count: int) -> list:
    """The outcomes a child wrote, up to the first one cut short."""
    outcomes: list = []
    with scratch:
        scratch.seek(0)
        while len(outcomes) < count:
            try:
                outcomes.append(pickle.load(scratch))
            except Exception:  # noqa: BLE001 - EOF or a record cut short by the child's death
                break
    return outcomes


def _end_child(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass


def _lost(group):
    """The outcome of a group whose worker died before returning it."""
    from nodecfg.core.codes import NC140
    from nodecfg.core.diagnostics import Span

    sources, _ = group
    message = ("not checked: the process checking it was killed (by the out-of-memory killer or a signal); "
               "run nodecfg check on it alone")
    return [NC140.at(Span(source, 0, 0), f"{source}: {message}") for source in sources], {}, EXIT_USAGE

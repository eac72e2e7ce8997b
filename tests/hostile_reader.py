"""A reader for the parse-pool tests: real parsing, except for documents that misbehave the way
hostile input makes readers misbehave — by what their first bytes ask for."""

import os
import signal
import time

from archive.ingest import parse_in_worker


def read(body: bytes, *args):
    if body.startswith(b"CRASH"):  # a segfault in a C extension: the process just ends
        os._exit(139)
    if body.startswith(b"SPIN"):  # busy in Python: the worker's own alarm interrupts it
        while True:
            pass
    if body.startswith(b"STUCK"):  # stuck where no alarm reaches (C code holding the signal off)
        signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])
        time.sleep(3600)
    if body.startswith(b"GREEDY"):  # asks for more memory than the worker may have
        hoard = bytearray(4 * 1024**3)
        return hoard[:1]
    return parse_in_worker(body, *args)

"""Run a command from a small process and write its wall time, peak RSS and exit code to a file.

Usage: python -S -I bench/launch.py RESULT_FILE COMMAND... A child forked from a large process
(the benchmark holds 50,000 generated notes) starts with that process's peak RSS in its own
rusage; forked from this small one, the child's peak is its own.
"""

import os
import sys
import time


def main() -> None:
    result, command = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(command[0], command)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    with open(result, "w") as stream:
        stream.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\n")


if __name__ == "__main__":
    main()

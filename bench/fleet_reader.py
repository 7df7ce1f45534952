"""Opens every PTY path listed in a file, as N apps would, and counts the lines they read."""
import os
import resource
import selectors
import sys
import time

paths = [p for p in open(sys.argv[1]).read().split() if p]
seconds = float(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < len(paths) + 64:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, len(paths) + 64), hard))
selector = selectors.DefaultSelector()
lines_by_fd = {}
for path in paths:
    fd = os.open(path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
    selector.register(fd, selectors.EVENT_READ)
    lines_by_fd[fd] = 0
# Opening a port resets its smoker: 3 s of warm-up silence. The steady rate is counted after that.
warmup = 5.0
start = time.time()
steady_lines = 0
while time.time() - start < seconds:
    for key, _ in selector.select(timeout=0.5):
        try:
            n = os.read(key.fd, 65536).count(b"\n")
        except BlockingIOError:
            continue
        lines_by_fd[key.fd] += n
        if time.time() - start >= warmup:
            steady_lines += n
elapsed = time.time() - start
lines = sum(lines_by_fd.values())
silent = sum(1 for n in lines_by_fd.values() if n == 0)
print(f"reader: {len(paths)} ports, {lines} lines in {elapsed:.1f} s = {lines / elapsed:.0f} lines/s "
      f"(native rate: {2 * len(paths)} lines/s), {silent} silent ports")
print(f"reader: steady state (after {warmup:.0f} s warm-up): {steady_lines / (elapsed - warmup):.0f} lines/s")
sys.exit(1 if silent else 0)

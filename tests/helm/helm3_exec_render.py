"""What Helm 3 does with `--post-renderer BINARY [--post-renderer-args ARG...]`, from its source
(pkg/postrender/exec.go execRender.Run, pkg/action/action.go renderResources), for tests/helm.rs:
the rendered manifests go to BINARY's stdin; its stdout is kept; its stderr is kept in a buffer
and shown only when it fails, inside Helm's error:

    Error: error while running post render on files: error while running command BINARY.
    error output:
    <stderr>: exit status N

    python helm3_exec_render.py BINARY [ARG...] < manifests > post-rendered
"""

import subprocess
import sys


def main() -> int:
    binary, args = sys.argv[1], sys.argv[2:]
    rendered = sys.stdin.buffer.read()
    proc = subprocess.run([binary, *args], input=rendered, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        sys.stderr.write(
            "Error: error while running post render on files: error while running command "
            f"{binary}. error output:\n{proc.stderr.decode()}: exit status {proc.returncode}\n"
        )
        return 1
    sys.stdout.buffer.write(proc.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""What Argo CD's CMP server (argocd-cmp-server, cmpserver/plugin/plugin.go runCommand) does
with a plugin's generate command, for tests/argocd.rs: runs command + args in the app
directory with its environment plus the Application's plugin env (ARGOCD_ENV_*), keeps stdout
as the manifests, keeps stderr in a buffer, and on a non-zero exit fails with

    `ARGS` failed exit status N: STDERR

(shown in the Application's ComparisonError). This process's own stderr plays the sidecar's log.

    python cmp_run.py APP_DIR PLUGIN_ENV_JSON COMMAND_JSON
"""

import json
import os
import subprocess
import sys


def main() -> int:
    app_dir, plugin_env, command = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
    env = dict(os.environ)
    env.update({f"ARGOCD_ENV_{k}": v for k, v in plugin_env.items()})
    proc = subprocess.run(command, cwd=app_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        print(json.dumps({"error": f"`{' '.join(command)}` failed exit status {proc.returncode}: "
                                   f"{proc.stderr.decode().strip()}"}))
        return 0
    print(json.dumps({"manifests": proc.stdout.decode()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

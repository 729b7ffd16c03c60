"""`helm install --dry-run=client` through Helm 4's own engine (PyPI helm-python-sdk, which
carries Helm's Go SDK as a shared library), with a postrenderer/v1 plugin found under
$XDG_DATA_HOME/helm/plugins/. Used by tests/helm.rs.

    python sdk_install.py CHART RELEASE NAMESPACE VALUES_JSON POST_RENDERER ARGS_JSON

Prints one JSON object on stdout: {"manifest": "..."} when Helm installed (the manifest Helm
would apply), or {"error": "..."} when Helm refused. The plugin's stderr is whatever reaches this
process's own stderr: Helm itself keeps none of it.
"""

import json
import sys

from helm_python import HelmError, _native
from helm_python.config import Config, _opts


def main() -> int:
    chart, release, namespace, values, post_renderer, args = sys.argv[1:7]
    args = json.loads(args)
    with Config(storage_driver="memory", namespace=namespace) as cfg:
        try:
            payload = _native.call_string(
                "helm_install",
                cfg._raw(),
                _native.HANDLE(0),  # no cancellation context
                _native.HANDLE(0),  # no loaded chart: the path below
                chart,
                release,
                values,
                _opts(
                    namespace=namespace,
                    dry_run="client",
                    post_renderer=post_renderer or None,
                    post_renderer_args=args or None,
                ),
            )
        except HelmError as e:
            print(json.dumps({"error": str(e)}))
            return 0
    print(json.dumps({"manifest": json.loads(payload).get("manifest", "")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

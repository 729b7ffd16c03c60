#!/usr/bin/env bash
# CI only (GitHub-hosted runners): install the tools `make test` needs but cannot install
# itself, at the versions the end-to-end expectations were made with, each checked against
# the SHA-256 its publisher lists beside it:
#   kubectl       $KUBECTL_VERSION      (kubectl 1.32 bundles kustomize v5.5.0)
#   kubectl.1.33  $KUBECTL_133_VERSION  (kubectl 1.33 bundles kustomize v5.6.0)
#   kpt           $KPT_VERSION
# into DIR, and print DIR (for $GITHUB_PATH).
#   .github/scripts/install-kube-tools.sh DIR
set -euo pipefail
dir=${1:?usage: install-kube-tools.sh DIR}
: "${KUBECTL_VERSION:?}" "${KUBECTL_133_VERSION:?}" "${KPT_VERSION:?}"
case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64) arch=arm64 ;;
  *) echo "install-kube-tools: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
mkdir -p "$dir"
fetch() { curl -fsSL --retry 3 -o "$1" "$2"; }

kubectl_to() { # VERSION NAME
  fetch "$dir/$2" "https://dl.k8s.io/release/$1/bin/linux/$arch/kubectl"
  fetch "$dir/$2.sha256" "https://dl.k8s.io/release/$1/bin/linux/$arch/kubectl.sha256"
  echo "$(cat "$dir/$2.sha256")  $dir/$2" | sha256sum --check --strict >&2
  rm "$dir/$2.sha256"
  chmod +x "$dir/$2"
}
kubectl_to "$KUBECTL_VERSION" kubectl
kubectl_to "$KUBECTL_133_VERSION" kubectl.1.33

kpt_base=https://github.com/kptdev/kpt/releases/download/$KPT_VERSION
fetch "$dir/kpt_linux_$arch" "$kpt_base/kpt_linux_$arch"
fetch "$dir/kpt-checksums.txt" "$kpt_base/checksums.txt"
(cd "$dir" && grep -E "  kpt_linux_$arch\$" kpt-checksums.txt | sha256sum --check --strict >&2)
mv "$dir/kpt_linux_$arch" "$dir/kpt"
rm "$dir/kpt-checksums.txt"
chmod +x "$dir/kpt"

"$dir/kubectl" version --client >&2
"$dir/kubectl.1.33" version --client >&2
"$dir/kpt" version >&2
echo "$dir"

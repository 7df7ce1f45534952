#!/usr/bin/env bash
# Installs what `make run` / `make test` need on a fresh Debian 12 + Swift 6
# machine: apt packages (only the missing ones) and the Python test clients
# in .venv. Safe to run again: it does nothing when everything is present.
#
#   scripts/bootstrap.sh run    # what the service needs
#   scripts/bootstrap.sh test   # plus test clients and tools
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-test}"

# Runtime (and build): libudev for host device discovery (the CUdev module links it).
run_packages=(libudev-dev)
# Tests: real third-party peers and renderers.
test_packages=(socat ser2net librsvg2-bin python3-venv tshark)
# The service's tests: headless Chromium for the dashboard, systemd-analyze for the unit's
# hardening score, prlimit (util-linux) for process-isolated devices.
test_packages+=(chromium systemd util-linux)
# umockdev (+ GI bindings for the system python3) fakes sysfs, /dev and uevents for the
# discovery tests; udev provides udevadm to check udev/99-devbridge.rules.
test_packages+=(umockdev libumockdev-dev gir1.2-umockdev-1.0 python3-gi udev)
# The guest end-to-end tests (tests/guest): QEMU and a static busybox for the initramfs.
test_packages+=(qemu-system-x86 busybox-static)

packages=("${run_packages[@]}")
if [[ "$mode" == "test" ]]; then packages+=("${test_packages[@]}"); fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "bootstrap: installing apt packages: ${missing[*]}"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! command -v swift >/dev/null; then
    echo "bootstrap: the Swift 6 toolchain is not on PATH (expected e.g. /opt/swift/usr/bin)" >&2
    exit 1
fi

if [[ "$mode" == "test" ]]; then
    requirements=tests/python/requirements.txt
    stamp=.venv/.requirements-installed
    if [[ ! -x .venv/bin/python ]]; then
        echo "bootstrap: creating .venv for the Python test clients"
        python3 -m venv .venv
    fi
    if [[ ! -f "$stamp" ]] || ! cmp -s "$requirements" "$stamp"; then
        echo "bootstrap: installing Python test clients from $requirements"
        .venv/bin/pip install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$stamp"
    fi
fi

if [[ "$mode" == "test" ]]; then
    # The guest kernel for tests/guest: Debian's linux-image package, fetched
    # with `apt-get download` into .build-guest/debs and unpacked there by
    # tests/guest/build_guest.py (dpkg -x). Never installed on this host.
    guest_debs=.build-guest/debs
    if ! compgen -G "$guest_debs/linux-image-*-amd64_*.deb" >/dev/null; then
        kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
        kernel=$(kernel_package)
        if [[ -z "$kernel" ]]; then
            sudo_cmd=()
            if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
            "${sudo_cmd[@]}" apt-get update -qq
            kernel=$(kernel_package)
        fi
        echo "bootstrap: downloading the guest kernel package $kernel into $guest_debs"
        mkdir -p "$guest_debs"
        (cd "$guest_debs" && apt-get download -qq "$kernel" 2>&1 | grep -v "unsandboxed" || true)
        compgen -G "$guest_debs/linux-image-*-amd64_*.deb" >/dev/null || {
            echo "bootstrap: could not download $kernel" >&2
            exit 1
        }
    fi
fi

#!/bin/sh
# /init of the devbridge test guest (busybox). Runs one scenario named on the
# kernel command line (devbridge.scenario=NAME), prints its evidence and a
# result marker on the console (ttyS0), then powers off.
#
#   GUEST-LINE <text>              a line the guest read from the device
#   GUEST-HEX <hex>                bytes the guest read (replay)
#   DEVBRIDGE-GUEST-RESULT PASS|FAIL <scenario> <reason>
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /tmp
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /tmp
ip link set lo up 2>/dev/null

for module in $(cat /etc/modules); do
    insmod "/lib/modules/$module.ko" || echo "guest: insmod $module failed"
done

arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^devbridge\.$1=//p"; }
SCENARIO=$(arg scenario)
TIMEOUT=$(arg timeout); TIMEOUT=${TIMEOUT:-60}

result() {
    echo "DEVBRIDGE-GUEST-RESULT $1 $SCENARIO $2"
    sync
    poweroff -f
}

# udev is not running: make the /dev/virtio-ports/NAME links ourselves.
virtio_links() {
    mkdir -p /dev/virtio-ports
    for port in /sys/class/virtio-ports/*; do
        [ -e "$port/name" ] || continue
        ln -sf "/dev/$(basename "$port")" "/dev/virtio-ports/$(cat "$port/name")"
    done
}

wait_for() { # PATH SECONDS
    i=0
    while [ ! -e "$1" ] && [ $i -lt $(($2 * 10)) ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$1" ]
}

# Reads COUNT lines from DEVICE at BAUD (raw) into /tmp/lines, printing each.
# Each line is written out as it arrives, so lines read before a timeout are
# kept (head would lose its buffer when killed).
read_lines() { # DEVICE BAUD COUNT
    # Raw before the first open, so bytes already queued are not cooked (CR -> NL).
    stty -F "$1" "$2" raw -echo clocal || return 1
    exec 3<>"$1" || return 1
    stty "$2" raw -echo clocal <&3 || return 1
    echo "guest: $1 at $(stty -F "$1" speed) baud, raw"
    : >/tmp/lines
    timeout "$TIMEOUT" sh -c 'n=0
        while [ "$n" -lt "$1" ] && IFS= read -r line; do
            printf "%s\n" "$line" | tr -d "\r" >>/tmp/lines
            n=$((n + 1))
        done' read_lines "$3" <&3
    exec 3<&-
    sed 's/^/GUEST-LINE /' /tmp/lines
}

# Smart Smoker: {"Meat": "163.25","Meat2": "158.00","Meat3": "161.75","Chamber": "226.50"}
SMOKER='^\{"Meat": "[^"]*","Meat2": "[^"]*","Meat3": "[^"]*","Chamber": "[^"]*"\}$'
# HeaterMeter: $HMSU,225,224.5,165.2,U,72.3,35,33,0,35,0*7A
HEATERMETER='^\$HMSU,([^,*]*,){9}[^,*]*\*[0-9A-F]{2}$'

expect_lines() { # REGEX MIN
    count=$(grep -cE "$1" /tmp/lines)
    if [ "$count" -ge "$2" ]; then result PASS "$count valid lines"; else result FAIL "$count valid lines, want $2"; fi
}

echo "guest: kernel $(uname -r), scenario '$SCENARIO'"
case "$SCENARIO" in
smoker-serial)
    # Scenario 1: the host's virtual smoker, through -chardev socket, on ttyS1.
    read_lines /dev/ttyS1 9600 10 || result FAIL "cannot open /dev/ttyS1"
    expect_lines "$SMOKER" 5
    ;;
attach-virtio)
    # Scenario 2: devbridge attach over a virtio-serial port (raw bytes).
    wait_for /sys/class/virtio-ports/vport0p1/name 10
    virtio_links
    ls -l /dev/virtio-ports
    devbridge attach /dev/virtio-ports/devbridge.0 --link /dev/ttyUSB0 -v &
    wait_for /dev/ttyUSB0 15 || result FAIL "attach did not create /dev/ttyUSB0"
    read_lines /dev/ttyUSB0 38400 8 || result FAIL "cannot open /dev/ttyUSB0"
    expect_lines "$HEATERMETER" 4
    ;;
attach-virtio-rfc2217)
    # Scenario 2 with serial settings: RFC 2217 carried straight over the
    # virtio-serial port (rfc2217:///DEVICE), no guest networking.
    wait_for /sys/class/virtio-ports/vport0p1/name 10
    virtio_links
    devbridge attach rfc2217:///dev/virtio-ports/devbridge.0 --link /dev/ttyUSB0 &
    wait_for /dev/ttyUSB0 15 || result FAIL "attach did not create /dev/ttyUSB0"
    # Until the 38400 reaches the host, the device's bytes arrive garbled (wrong
    # baud, as on a real UART), and garbage can hold newlines: read enough lines
    # that the clean ones after the change are among them.
    read_lines /dev/ttyUSB0 38400 60 || result FAIL "cannot open /dev/ttyUSB0"
    expect_lines "$HEATERMETER" 4
    ;;
usb-serial)
    # Scenario 3: QEMU's usb-serial (an FTDI adapter) backed by the virtual smoker.
    wait_for /dev/ttyUSB0 20 || { dmesg | tail -n 30; result FAIL "no /dev/ttyUSB0 from ftdi_sio"; }
    dmesg | grep -iE 'ftdi|ttyUSB' | sed 's/^/guest: /'
    read_lines /dev/ttyUSB0 9600 10 || result FAIL "cannot open /dev/ttyUSB0"
    expect_lines "$SMOKER" 5
    ;;
replay)
    # Scenario 4: a recorded trace replayed through scenario 1's path. The trace
    # starts with the app writing "GO\n"; replay --match waits for it.
    BYTES=$(arg bytes)
    stty -F /dev/ttyS1 9600 raw -echo clocal
    exec 3<>/dev/ttyS1 || result FAIL "cannot open /dev/ttyS1"
    stty 9600 raw -echo clocal <&3
    (timeout "$TIMEOUT" head -c "$BYTES" <&3 >/tmp/bytes) &
    reader=$!
    sleep 0.5
    printf 'GO\n' >&3
    wait $reader
    got=$(wc -c </tmp/bytes)
    hexdump -v -e '32/1 "%02x" "\n"' /tmp/bytes | sed 's/ //g; s/^/GUEST-HEX /'
    if [ "$got" -eq "$BYTES" ]; then result PASS "$got bytes"; else result FAIL "$got of $BYTES bytes"; fi
    ;;
line-errors)
    # Scenario 5: a BREAK on a real (emulated 16550) UART reaches an RFC 2217
    # client as NOTIFY-LINESTATE. The host sends telnet IAC BRK into ttyS1's
    # chardev; the guest's export reads the UART's error counters (TIOCGICOUNT).
    devbridge export /dev/ttyS1 --listen 127.0.0.1:7000 --mode rfc2217 &
    i=0
    while ! nc -z 127.0.0.1 7000 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    # WILL/DO COM-PORT, then SET-LINESTATE-MASK 0x10 (break detect); listen for 6 s.
    (printf '\377\373\054\377\375\054\377\372\054\012\020\377\360'; sleep 6) |
        timeout 10 nc 127.0.0.1 7000 >/tmp/notify
    hexdump -v -e '32/1 "%02x" "\n"' /tmp/notify | sed 's/ //g; s/^/GUEST-HEX /'
    # IAC SB COM-PORT NOTIFY-LINESTATE(106) 0x10 IAC SE
    if od -An -tx1 /tmp/notify | tr -d ' \n' | grep -q 'fffa2c6a10fff0'; then
        result PASS "NOTIFY-LINESTATE break detect"
    else
        result FAIL "no NOTIFY-LINESTATE with break detect"
    fi
    ;;
*)
    result FAIL "unknown scenario"
    ;;
esac
result FAIL "scenario fell through"

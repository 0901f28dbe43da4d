#!/bin/sh
# SPDX-License-Identifier: MIT
# `make boot-test [ARCH=arm64|armv6] [LIBC=musl|glibc]`: boots the firmware build of digestd on
# an emulated board and checks what it delivered. Images are cached under
# build/boot-ARCH/; the host's apt setup is untouched (binfmt_misc may be enabled).
set -eu

arch=${1:-arm64}
libc=${2:-musl}
case $arch in
arm64) debarch=arm64 triplet=aarch64-linux-gnu ;;
armv6) debarch=armel triplet=arm-linux-gnueabi ;;
*)
	echo "usage: sh tools/boot-test.sh [arm64|armv6] [musl|glibc]" >&2
	exit 64
	;;
esac
if [ "$(id -u)" -ne 0 ]; then
	echo "boot-test: run as root (mmdebstrap makes a root-owned file system)" >&2
	exit 77
fi

top=$(pwd)
dir=build/boot-$arch
digestd=build/firmware-$arch$([ "$libc" = glibc ] || echo "-$libc")/digestd
# Peak RSS of the guest's cycle, in KB. musl: the firmware's target, 2,048
# (measured 2,012 on arm64 and 2,016 on armv6 on 2026-12-07: README,
# Firmware). glibc, kept for comparison only: about 8 % over the 2,836
# measured on arm64.
case $libc in
musl) rss_bound=2048 ;;
*) rss_bound=3072 ;;
esac
sink=build/host-boot/digest-sink
codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
mkdir -p "$dir"

sh tools/firmware.sh "$arch" "$libc"
# The sink runs on the host: a native build of its own, whatever ARCH is.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory -s ARCH= LIBC=glibc BUILD=build/host-boot "$sink"

# mmdebstrap ARGS... SUITE TARGET with the mirrors this machine's apt uses.
mirrors=$(sh tools/apt-mirrors.sh | awk '{ print "deb " $1 " " $2 " main" }')
debstrap() {
	(
		set -f
		IFS='
'
		# shellcheck disable=SC2086
		mmdebstrap --quiet "$@" $mirrors
	)
}

now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Extracts a module list's .ko files with their dependencies first (read from
# each module's .modinfo, as there is no depmod output to rely on), into
# $initrd/lib/modules, and their load order into $initrd/modules.
add_modules() { # TREE MODULE...
	tree=$1
	shift
	for m in "$@"; do
		pattern=$(printf '%s' "$m" | sed 's/[-_]/[-_]/g')
		ko=$(find "$tree/lib/modules" -name "$pattern.ko" | head -n 1)
		[ -n "$ko" ] || { echo "boot-test: kernel module $m not found" >&2; exit 1; }
		base=$(basename "$ko")
		grep -qx "$base" "$initrd/modules" 2>/dev/null && continue
		deps=$("$triplet-objcopy" -O binary --only-section=.modinfo "$ko" /dev/stdout |
			tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' ' ')
		# A subshell: sh has no local variables, and this function recurses.
		# shellcheck disable=SC2086
		[ -z "$deps" ] || (add_modules "$tree" $deps)
		cp "$ko" "$initrd/lib/modules/$base"
		echo "$base" >>"$initrd/modules"
	done
}

# Kernel, busybox and a module stack, unpacked from Debian's packages; only
# the kernel, the device trees and $dir/initrd (busybox, modules) are kept,
# until PACKAGES or the module list change.
make_kernel() { # PACKAGES MODULE...
	packages=$1
	shift
	wanted="$packages $*"
	[ -s "$dir/vmlinuz" ] && [ "$(cat "$dir/initrd/wanted" 2>/dev/null)" = "$wanted" ] && return 0
	echo "boot-test: kernel and initramfs from Debian's $packages ($debarch)"
	rm -rf "$dir/kernel.tmp" "$dir/initrd" "$dir/dtbs"
	debstrap --variant=extract --arch="$debarch" --include="$packages" \
		"$codename" "$dir/kernel.tmp" >"$dir/kernel.log" 2>&1 ||
		{ cat "$dir/kernel.log" >&2; exit 1; }
	initrd=$dir/initrd
	mkdir -p "$initrd/bin" "$initrd/lib/modules" "$initrd/proc" "$initrd/sys" "$initrd/dev" \
		"$initrd/newroot" "$initrd/etc" "$initrd/tmp"
	: >"$initrd/modules"
	add_modules "$dir/kernel.tmp" "$@"
	cp "$dir/kernel.tmp/bin/busybox" "$initrd/bin/busybox"
	mkdir -p "$dir/dtbs"
	find "$dir/kernel.tmp/usr/lib" -path '*/linux-image-*/*.dtb' -exec cp {} "$dir/dtbs/" \;
	cp "$dir/kernel.tmp"/boot/vmlinuz-* "$dir/vmlinuz"
	rm -rf "$dir/kernel.tmp"
	echo "$wanted" >"$initrd/wanted"
}

pack_initrd() { # DIR FILE: a gzipped newc cpio archive of DIR
	(cd "$1" && find . | cpio --quiet -o -H newc) | gzip -1 >"$2.tmp"
	mv "$2.tmp" "$2"
}

# The certificate of the host's sink is for the name sink.test, which the
# guest maps to 10.0.2.100 (QEMU refuses a forward to its own 10.0.2.2),
# and localhost for the qemu-user run; curl on mbedtls 2.28 cannot match IP
# addresses.
start_sink() {
	rm -rf "$dir/run"
	mkdir -p "$dir/run/store"
	sh tools/signing-key.sh "$dir/run/signing-key"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=sink.test -addext subjectAltName=DNS:sink.test,DNS:localhost \
		-keyout "$dir/run/sink-key.pem" -out "$dir/run/sink-cert.pem" 2>/dev/null
	sink_start "$sink" "$dir/run/ready" "$dir/run/sink.log" --cert "$dir/run/sink-cert.pem" \
		--key "$dir/run/sink-key.pem" --store "$dir/run/store" \
		--signing-key "$dir/run/signing-key" --port 0 || { cat "$dir/run/sink.log" >&2; exit 1; }
	port=$(cat "$dir/run/ready")
}
. tools/sink-lib.sh

# QEMU's guestfwd runs this per guest connection to 10.0.2.100:8443, with the
# connection on stdin/stdout, and joins it to the sink on 127.0.0.1:PORT.
write_relay() {
	cat >"$dir/relay.py" <<'EOF'
import os, select, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
fds = {0: s.fileno(), s.fileno(): 1}
while fds:
    for r in select.select(list(fds), [], [])[0]:
        data = os.read(r, 65536)
        if data:
            os.write(fds[r], data)
        else:
            if fds[r] == 1:
                os.close(1)
            else:
                s.shutdown(socket.SHUT_WR)
            del fds[r]
EOF
}

# The guest's config: the seeds, pushed to the sink as sink.test; KEY is the
# signing key as a credential name (systemd) or an absolute path.
write_config() { # ROOT KEY
	cat >"${1:?}/etc/digestd/digestd.ini" <<EOF
; boot test: the seeds, pushed to digest-sink on the host (tools/boot-test.sh).
[daemon]
log_level = info

[source seeds]
url = /usr/share/digestd/seeds
type = folder
lang = auto

[digest]
format = json

[endpoint]
url = https://sink.test:8443/digests
ca_file = /etc/digestd/sink-ca.pem
signing_key_file = $2
timeout = 30s
EOF
	install -m 0644 "$dir/run/sink-cert.pem" "$1/etc/digestd/sink-ca.pem"
	install -m 0600 "$dir/run/signing-key" "$1/etc/digestd/signing-key"
	cp -R seeds "$1/usr/share/digestd/seeds"
	printf '127.0.0.1 localhost\n10.0.2.100 sink.test\n' >"$1/etc/hosts"
}

# Before the boot, the same binary under qemu-user on the host: the seeds must
# summarise to the committed golden file, and one cycle must push a digest
# the sink accepts (the first of the two digests the sink ends up with).
user_check() { # QEMU-USER-COMMAND...
	if ! "$@" "$digestd" summarize --format json seeds/*.txt >"$dir/run/summary.jsonl" 2>"$dir/run/user.log" ||
		! cmp -s "$dir/run/summary.jsonl" tests/data/seeds-summary.jsonl; then
		echo "FAIL: boot-test $arch: qemu-user summaries differ from tests/data/seeds-summary.jsonl"
		exit 1
	fi
	echo "PASS: boot-test $arch: under $*, seeds/*.txt summarise as tests/data/seeds-summary.jsonl"
	cat >"$dir/run/user.ini" <<EOF
[daemon]
state_dir = $top/$dir/run/user-state
[source seeds]
url = $top/seeds
type = folder
[digest]
format = json
[endpoint]
url = https://localhost:$port/digests
ca_file = $top/$dir/run/sink-cert.pem
signing_key_file = $top/$dir/run/signing-key
EOF
	if ! "$@" "$digestd" run --once --config "$dir/run/user.ini" >>"$dir/run/user.log" 2>&1 ||
		[ "$(grep -c '^received id=.* status=200$' "$dir/run/sink.log")" -ne 1 ]; then
		sed 's/^/  /' "$dir/run/user.log" "$dir/run/sink.log"
		echo "FAIL: boot-test $arch: no digest from digestd under qemu-user reached the sink"
		exit 1
	fi
	echo "PASS: boot-test $arch: under qemu-user, one cycle pushed a digest the sink verified"
}

# Passes when the guest's digestd exited 0 and the sink verified and stored
# its digest (the second); prints the wall time and digestd's peak RSS.
check_result() { # QEMU-STATUS WALL-SECONDS
	grep -a -e 'digestd\[' -e 'boot-test:' -e '^[0-9-]* [0-9:]* ' "$dir/console.log" |
		sed 's/^/  guest: /' || true
	sed 's/^/  sink: /' "$dir/run/sink.log"
	echo "boot-test: qemu exit $1 after $2 s wall (boot, one cycle, power-off)"
	rss=$(sed -n 's/.*boot-test: digestd exit 0, peak RSS \([0-9]*\) KB.*/\1/p' "$dir/console.log" | tail -n 1)
	stored=$(find "$dir/run/store" -name '*.json' | wc -l)
	if [ "$1" -ne 0 ] || [ -z "$rss" ] || [ "$stored" -ne 2 ] ||
		[ "$(grep -c '^received id=.* status=200$' "$dir/run/sink.log")" -ne 2 ]; then
		echo "FAIL: boot-test $arch: no signed digest reached the sink (console: $dir/console.log)"
		exit 1
	fi
	# DynamicUser=, NoNewPrivileges=, the empty CapabilityBoundingSet= and
	# SystemCallFilter= (seccomp mode 2) as the kernel applied them.
	if ! grep -a -q 'boot-test: sandbox CapEff=0\{16\} CapBnd=0\{16\} NoNewPrivs=1 Seccomp=2 uid [1-9]' "$dir/console.log"; then
		echo "FAIL: boot-test $arch: digestd.service's sandbox was not applied (console: $dir/console.log)"
		exit 1
	fi
	echo "boot-test: digestd ran sandboxed: no new privileges, seccomp filter, no capabilities, dynamic user"
	echo "boot-test: digestd ($libc) peak RSS in the guest: $rss KB (bound $rss_bound KB)"
	id=$(sed -n 's/^received id=\([^ ]*\) .*/\1/p' "$dir/run/sink.log" | tail -n 1)
	echo "PASS: boot-test $arch: the sink verified and stored the guest's digest $id"
	[ "$rss" -le "$rss_bound" ] ||
		{ echo "FAIL: boot-test $arch: peak RSS $rss KB is over $rss_bound KB"; exit 1; }
}

# The guest's file system: Debian minbase with systemd, made once (3 to 5
# minutes: its packages are configured under qemu-user through binfmt).
make_base() { # BINFMT-NAME
	[ -s "$dir/base.tar" ] && return 0
	if [ ! -e "/proc/sys/fs/binfmt_misc/$1" ]; then
		echo "boot-test: enabling $1 in binfmt_misc (mmdebstrap runs $debarch programs)"
		[ -e /proc/sys/fs/binfmt_misc/register ] ||
			mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
		update-binfmts --enable "$1"
	fi
	echo "boot-test: Debian $codename minbase + systemd for $debarch (cached in $dir/base.tar)"
	t0=$(now)
	debstrap --mode=root --arch="$debarch" --variant=minbase \
		--aptopt='Apt::Install-Recommends "false"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		--include=systemd-sysv,time "$codename" "$dir/base.tmp.tar" \
		>"$dir/base.log" 2>&1 || { cat "$dir/base.log" >&2; exit 1; }
	mv "$dir/base.tmp.tar" "$dir/base.tar"
	echo "boot-test: root file system made in $(seconds "$t0" "$(now)") s"
}

# The initramfs's /init: loads the modules, sets up the network here, before
# systemd (the guest has no udev: nothing renames the interface, no
# systemd-networkd waits for it), mounts DEVICE and switches to its systemd.
# The clock comes from the command line (boottest.time=), for boards without
# an RTC: TLS and the sink's signature window need it.
write_init() { # NETDEV-OR-EMPTY DEVICE
	cat >"$dir/initrd/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
t=\$(sed -n 's/.*boottest.time=\([0-9]*\).*/\1/p' /proc/cmdline)
[ -z "\$t" ] || date -s "@\$t" >/dev/null
for m in \$(cat /modules); do insmod "/lib/modules/\$m" || echo "initrd: insmod \$m failed"; done
dev=$1
i=0
while [ -z "\$dev" ] && [ \$i -lt 100 ]; do
	dev=\$(ls /sys/class/net | grep -v '^lo\$' | head -n 1)
	[ -n "\$dev" ] || sleep 0.1
	i=\$((i + 1))
done
ip link set lo up
ip addr add 10.0.2.15/24 dev "\$dev"
ip link set "\$dev" up
ip route add default via 10.0.2.2
cpu=\$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
echo "boot-test: \$(uname -m) \$(uname -r)\${cpu:+, \$cpu}, network on \$dev"
i=0
while [ ! -b $2 ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i + 1)); done
mount -t ext4 $2 /newroot || { echo "initrd: no root file system on $2"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/init
EOF
	chmod 0755 "$dir/initrd/init"
}

# The root file system image of SIZE: the base, digestd, firmware/digestd.service
# enabled as `make install` would, with a drop-in for one cycle and power-off.
make_image() { # IMAGE SIZE
	echo "boot-test: image with $digestd, firmware/digestd.service and seeds/"
	root=$dir/root
	rm -rf "$root"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xpf "$dir/base.tar"
	install -m 0755 "$digestd" "$root/usr/bin/digestd"
	install -m 0644 firmware/digestd.service "$root/etc/systemd/system/digestd.service"
	ln -s ../digestd.service "$root/etc/systemd/system/multi-user.target.wants/digestd.service"
	mkdir -p "$root/etc/systemd/system/digestd.service.d" "$root/etc/digestd" "$root/usr/share/digestd"
	# One cycle, then power off either way; GNU time reports the peak RSS
	# (the kernel's ru_maxrss of the process it waits for).
	cat >"$root/etc/systemd/system/digestd.service.d/boot-test.conf" <<'EOF'
[Unit]
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStartPre=/usr/local/bin/boot-test-sandbox
ExecStart=
ExecStart=/usr/bin/time -f "boot-test: digestd exit %%x, peak RSS %%M KB, %%e s" /usr/bin/digestd run --once --config /etc/digestd/digestd.ini
Restart=no
WatchdogSec=0
StandardOutput=journal+console
StandardError=journal+console
SyslogIdentifier=digestd
EOF
	# Runs in the unit's sandbox before digestd: the kernel's view of it.
	cat >"$root/usr/local/bin/boot-test-sandbox" <<'EOF'
#!/bin/sh
s=$(sed -n 's/^\(NoNewPrivs\|Seccomp\|CapEff\|CapBnd\):[[:space:]]*/\1=/p' /proc/self/status | tr '\n' ' ')
echo "boot-test: sandbox ${s}uid $(id -u)"
EOF
	chmod 0755 "$root/usr/local/bin/boot-test-sandbox"
	write_config "$root" signing-key
	echo boot-test >"$root/etc/hostname"
	rm -f "$1"
	mke2fs -q -t ext4 -L root -d "$root" "$1" "$2" >/dev/null
	rm -rf "$root"
}

boot_arm64() {
	make_base qemu-aarch64
	make_kernel linux-image-arm64,busybox-static virtio_pci virtio_blk virtio_net crc32c_generic ext4
	write_init eth0 /dev/vda
	pack_initrd "$dir/initrd" "$dir/initrd.cpio.gz"

	start_sink
	user_check qemu-aarch64
	write_relay
	make_image "$dir/root.ext4" 400M

	echo "boot-test: booting qemu-system-aarch64 -M virt (TCG, -m 512); the sink listens on 127.0.0.1:$port"
	t0=$(now)
	rc=0
	timeout 600 qemu-system-aarch64 -M virt -cpu cortex-a53 -smp 2 -m 512 -nographic -no-reboot \
		-kernel "$dir/vmlinuz" -initrd "$dir/initrd.cpio.gz" \
		-append "console=ttyAMA0 panic=-1 quiet boottest.time=$(date +%s)" \
		-drive file="$dir/root.ext4",format=raw,if=none,id=hd0 -device virtio-blk-pci,drive=hd0 \
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:8443-cmd:python3 $top/$dir/relay.py $port" \
		-device virtio-net-pci,netdev=n0,romfile= </dev/null >"$dir/console.log" 2>&1 || rc=$?
	boot=$(seconds "$t0" "$(now)")
	sink_stop
	check_result "$rc" "$boot"
}

# Pi Zero: QEMU's raspi0 runs Debian's armel rpi kernel and its built-in
# bcm2835 SD host driver reads the root file system from the emulated SD
# card (QEMU wants a power-of-two card size). The board has no RTC, so the
# initramfs sets the time from the command line. Its network is a USB
# Ethernet adapter (usb-net) on the emulated DWC2 port.
boot_armv6() {
	make_base qemu-arm
	make_kernel linux-image-rpi,busybox-static usbnet cdc_ether rndis_host crc32c_generic ext4
	write_init "" /dev/mmcblk0
	pack_initrd "$dir/initrd" "$dir/initrd.cpio.gz"
	if [ ! -s "$dir/rpi0.dtb" ]; then
		# QEMU 7.2 does not model the power manager's ASB registers, which
		# the stock device tree gives the watchdog node: the kernel then
		# panics in bcm2835_power_probe. Keep its first register range only.
		dtc -q -I dtb -O dts "$dir/dtbs/bcm2835-rpi-zero.dtb" |
			sed '/watchdog@7e100000 {/,/};/{
				s/reg = <0x7e100000 0x114 .*>;/reg = <0x7e100000 0x114>;/
				s/reg-names = .*;/reg-names = "pm";/
			}' | dtc -q -I dts -O dtb -o "$dir/rpi0.dtb.tmp"
		mv "$dir/rpi0.dtb.tmp" "$dir/rpi0.dtb"
	fi

	start_sink
	user_check qemu-arm -cpu arm1176
	write_relay
	make_image "$dir/sd.img" 512M

	echo "boot-test: booting qemu-system-arm -M raspi0 (ARM1176, 512 MB, SD card); the sink listens on 127.0.0.1:$port"
	t0=$(now)
	rc=0
	timeout 900 qemu-system-arm -M raspi0 -nographic -no-reboot \
		-kernel "$dir/vmlinuz" -dtb "$dir/rpi0.dtb" -initrd "$dir/initrd.cpio.gz" \
		-append "console=ttyAMA0 panic=-1 quiet boottest.time=$(date +%s)" \
		-drive file="$dir/sd.img",format=raw,if=sd \
		-netdev "user,id=n0,restrict=on,guestfwd=tcp:10.0.2.100:8443-cmd:python3 $top/$dir/relay.py $port" \
		-device usb-net,netdev=n0 </dev/null >"$dir/console.log" 2>&1 || rc=$?
	boot=$(seconds "$t0" "$(now)")
	sink_stop
	check_result "$rc" "$boot"
}

case $arch in
arm64) boot_arm64 ;;
armv6) boot_armv6 ;;
esac

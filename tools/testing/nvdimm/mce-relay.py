#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Raise x86 machine checks in a test guest when its test asks for them.

A guest cannot raise a machine check on itself: QEMU's monitor can
("mce" command).  qemu.sh starts this relay beside a guest booted for a
test with "# machine-checks: yes", with two sockets in DIR: mon.sock,
QEMU's monitor, and req.sock, the guest's second serial port (ttyS1).
The guest writes one request a line,

    mce CPU ADDR KIND

ADDR a physical address (hex), KIND srao (action optional: a patrol
scrub found it), srar (action required: a data load by the task
running on CPU consumed it; raised only at a moment CPU runs user
code) or fatal (the processor context is corrupt: Linux panics; the
harness self-test that shows a machine check reaching the guest), and
reads back one answer line: "ok", or "error: WHY".  The relay ends
when QEMU closes the port.

The MCi_STATUS, MCG_STATUS and MCi_MISC values are those Linux's severity
grading (arch/x86/kernel/cpu/mce/severity.c) reads as a software
recoverable error of that kind on a CPU with MCG_SER_P (QEMU sets it):
valid, uncorrected, enabled, signalled, address and misc valid; the
MCACOD of a memory scrub (0xc0) or of a data load (0x134, with AR); a
physical address whose least significant valid bit is 12 (one page).
"""

import os
import re
import socket
import sys
import time

MCI_STATUS_VAL = 1 << 63
MCI_STATUS_UC = 1 << 61
MCI_STATUS_EN = 1 << 60
MCI_STATUS_MISCV = 1 << 59
MCI_STATUS_ADDRV = 1 << 58
MCI_STATUS_PCC = 1 << 57
MCI_STATUS_S = 1 << 56
MCI_STATUS_AR = 1 << 55
MCG_STATUS_RIPV = 1 << 0
MCG_STATUS_EIPV = 1 << 1
MCG_STATUS_MCIP = 1 << 2
# Address mode 2 (physical) in bits 8:6, least significant valid bit 12.
MISC_PHYS_PAGE = (2 << 6) | 12
# Broadcast ("mce -b"), as Intel delivers a machine check to every CPU
# (Linux panics when some CPU does not enter its handler), the others
# seeing MCIP and RIPV only.
# Bank 0 is left alone: Linux does not enable it on the CPU model QEMU
# reports, and QEMU drops an uncorrected error in a disabled bank.
BANK = 1

RECOVERABLE = (MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN |
               MCI_STATUS_MISCV | MCI_STATUS_ADDRV | MCI_STATUS_S)
KINDS = {
    # Restartable where it was: the CPU did not consume the poison.
    "srao": (RECOVERABLE | 0xc0, MCG_STATUS_MCIP | MCG_STATUS_RIPV),
    # The instruction at the error IP consumed it.
    "srar": (RECOVERABLE | MCI_STATUS_AR | 0x134,
             MCG_STATUS_MCIP | MCG_STATUS_RIPV | MCG_STATUS_EIPV),
    # The processor context is corrupt: no recovery.
    "fatal": (RECOVERABLE | MCI_STATUS_PCC | 0xc0, MCG_STATUS_MCIP),
}


def connect(path, deadline):
    """Connect to QEMU's listening socket PATH, waiting for it to appear."""
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class Monitor:
    """QEMU's human monitor: send a command, read back what it printed."""

    PROMPT = b"(qemu) "

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.read_to_prompt()

    def read_to_prompt(self):
        while self.PROMPT not in self.buf:
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("monitor closed")
            self.buf += data
        out, _, self.buf = self.buf.partition(self.PROMPT)
        return out.decode(errors="replace")

    def command(self, line):
        self.sock.sendall(line.encode() + b"\n")
        out = self.read_to_prompt()
        # The monitor echoes the command (with terminal escapes) first.
        lines = [l.strip() for l in out.replace("\r", "\n").split("\n")]
        return [l for l in lines if l and line not in l and "\x1b" not in l]


def answer(mon, request):
    """Carry out one request line; return the answer line."""
    words = request.split()
    if len(words) != 4 or words[0] != "mce":
        return "error: want 'mce CPU ADDR KIND', got %r" % request
    _, cpu, addr, kind = words
    if kind not in KINDS:
        return "error: KIND is srao, srar or fatal, not %r" % kind
    try:
        cpu = int(cpu, 0)
        addr = int(addr, 16)
    except ValueError:
        return "error: CPU is a number and ADDR hex, got %r" % request
    status, mcg_status = KINDS[kind]
    cmd = "mce -b %d %d %#x %#x %#x %#x" % (cpu, BANK, status, mcg_status,
                                            addr, MISC_PHYS_PAGE)
    if kind == "srar":
        said = raise_in_user_mode(mon, cpu, cmd)
    else:
        said = mon.command(cmd)
    if said:
        return "error: qemu: " + " / ".join(said)
    return "ok"


def raise_in_user_mode(mon, cpu, cmd, tries=500):
    """Raise machine check CMD on CPU while it runs user code.

    An action-required error says the interrupted instruction consumed
    the poison: in the kernel, outside the few places that can recover,
    Linux panics.  So stop the guest, look at CPU's privilege level, and
    raise it there (QEMU delivers it before the next instruction once the
    guest goes on), or let the guest go on and look again a little later.
    """
    for _ in range(tries):
        mon.command("stop")
        mon.command("cpu %d" % cpu)
        regs = " ".join(mon.command("info registers"))
        if re.search(r"\bCPL=3\b", regs):
            said = mon.command(cmd)
            mon.command("cont")
            return said
        mon.command("cont")
        time.sleep(0.005)
    return ["CPU %d was never found running user code" % cpu]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mce-relay.py DIR")
    d = sys.argv[1]
    deadline = time.monotonic() + 60
    mon = Monitor(connect(os.path.join(d, "mon.sock"), deadline))
    port = connect(os.path.join(d, "req.sock"), deadline)
    log = open(os.path.join(d, "mce.log"), "w", buffering=1)
    buf = b""
    while True:
        data = port.recv(4096)
        if not data:
            return
        buf += data.replace(b"\r", b"\n")
        while b"\n" in buf:
            line, _, buf = buf.partition(b"\n")
            line = line.decode(errors="replace").strip()
            if not line:
                continue
            reply = answer(mon, line)
            log.write("mce-relay: %s -> %s\n" % (line, reply))
            port.sendall(reply.encode() + b"\n")


if __name__ == "__main__":
    main()

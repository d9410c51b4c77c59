"""Extracts the PTX that hector-lower-to-ptx embeds and checks it with ptxas.

  ptx_tool.py extract INPUT.mlir PREFIX   write PREFIX.<binary>.ptx, print names
  ptx_tool.py check INPUT.mlir ARCH...    assemble every kernel module with
                                          `ptxas -v -arch=ARCH`; print one line
                                          per kernel (registers, spills, stack,
                                          shared memory);
                                          exit 1 on an error, a spill or a
                                          local-memory stack frame

MLIR prints non-printable and quote characters of string attributes as two
hex digits after a backslash; gpu.binary keeps the PTX in `assembly = "..."`.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def unescape(text):
    return re.sub(r"\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)),
                  text)


def binaries(path):
    """Yields (name, ptx) for every gpu.binary with PTX assembly."""
    source = open(path).read()
    for binary in re.finditer(r"gpu\.binary @(\w+)", source):
        rest = source[binary.end():]
        match = re.search(r'assembly = "((?:[^"\\]|\\.)*)"', rest)
        if match:
            yield binary.group(1), unescape(match.group(1))


def ptxas():
    return shutil.which("ptxas") or "/usr/local/cuda/bin/ptxas"


def check(path, archs):
    found = list(binaries(path))
    if not found:
        print(f"{path}: no gpu.binary with PTX assembly")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, ptx in found:
            src = os.path.join(tmp, name + ".ptx")
            with open(src, "w") as f:
                f.write(ptx)
            for arch in archs:
                proc = subprocess.run(
                    [ptxas(), "-v", f"-arch={arch}", src, "-o",
                     os.path.join(tmp, name + ".cubin")],
                    capture_output=True, text=True)
                log = proc.stdout + proc.stderr
                regs = re.search(r"Used (\d+) registers", log)
                spill = re.search(r"(\d+) bytes spill stores, (\d+) bytes "
                                  r"spill loads", log)
                stack = re.search(r"(\d+) bytes stack frame", log)
                smem = re.search(r"(\d+) bytes smem", log)
                ok = (proc.returncode == 0 and regs and spill and stack
                      and spill.group(1) == "0" and spill.group(2) == "0"
                      and stack.group(1) == "0")
                print(f"{name} {arch}: "
                      + (f"{regs.group(1)} registers, "
                         f"{spill.group(1)}/{spill.group(2)} bytes spilled, "
                         f"{stack.group(1)} bytes stack"
                         + (f", {smem.group(1)} bytes shared" if smem else "")
                         if regs and spill and stack else "no ptxas report")
                      + ("" if ok else "  FAILED\n" + log.strip()))
                failed += not ok
    print(f"{len(found)} kernels, {len(archs)} architectures, {failed} failed")
    return 1 if failed else 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "extract":
        for name, ptx in binaries(argv[1]):
            with open(f"{argv[2]}.{name}.ptx", "w") as f:
                f.write(ptx)
            print(name)
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return check(argv[1], argv[2:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Tests for tools/sbf/rewrite_ir.py.

Run from the repository root or from tools/sbf:
    python3 -m unittest discover -s tools/sbf -p 'test_*.py' -v
    (cd tools/sbf && python3 -m unittest test_rewrite_ir -v)

Fixtures are in tools/sbf/fixtures/: ok_*.ll must be rewritten, refuse_*.ll must be refused
(their first line says `; EXPECT-REFUSE: <function> | <construct>`). Where LLVM 22 tools are
installed the tests also show that llvm-as accepts every rewrite, that the BPF backend (llc)
rejects each original fixture and accepts the rewritten one, and they check the umul expansion
numerically on the host (llc + cc); the expansion is also checked by interpreting the emitted
instructions in Python, which needs no tools.
"""

from __future__ import annotations

import glob
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
SCRIPT = os.path.join(HERE, "rewrite_ir.py")
sys.path.insert(0, HERE)
import rewrite_ir  # noqa: E402


def tool(*names):
    for n in names:
        p = shutil.which(n)
        if p:
            return p
    return None


LLVM_AS = tool("llvm-as-22")
LLC = tool("llc-22")
OPT = tool("opt-22")
CC = tool("cc", "gcc", "clang")

U64 = (1 << 64) - 1


def read(path):
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def run_script(path, *extra):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out.ll")
        p = subprocess.run([sys.executable, SCRIPT, path, "-o", out, *extra],
                           capture_output=True, text=True)
        text = read(out) if p.returncode == 0 else None
        return p.returncode, text, p.stderr


def rewrite_fixture(name, *extra):
    rc, text, err = run_script(os.path.join(FIX, name), *extra)
    if rc != 0:
        raise AssertionError(f"{name} was refused:\n{err}")
    return text


class LlvmMixin:
    def assert_llvm_as(self, text):
        if not LLVM_AS:
            return
        p = subprocess.run([LLVM_AS, "-", "-o", os.devnull], input=text, capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)

    def bpf_codegen(self, text, passes="always-inline"):
        """(ok, stderr) of always-inline + llc for bpfel; None if the tools are missing."""
        if not (OPT and LLC):
            return None
        o = subprocess.run([OPT, f"-passes={passes}", "-", "-o", "-"], input=text.encode(),
                           capture_output=True)
        if o.returncode != 0:
            return False, o.stderr.decode()
        p = subprocess.run([LLC, "-mtriple=bpfel", "-mcpu=generic", "-bpf-stack-size=4096",
                            "-filetype=obj", "-o", os.devnull], input=o.stdout,
                           capture_output=True)
        return p.returncode == 0, p.stderr.decode()

    def assert_bpf_rejects_original_accepts_rewrite(self, name, text, error_re):
        orig = read(os.path.join(FIX, name))
        r = self.bpf_codegen(orig)
        if r is None:
            return
        self.assertFalse(r[0], f"llc unexpectedly accepted the original {name}")
        self.assertRegex(r[1], error_re)
        ok, err = self.bpf_codegen(text)
        self.assertTrue(ok, f"llc rejected the rewritten {name}:\n{err}")
        # and after the full -O3 pipeline (what the final sbpf-linker run does)
        ok, err = self.bpf_codegen(text, passes="default<O3>")
        self.assertTrue(ok, f"llc rejected the rewritten {name} after -O3:\n{err}")


class TestRefusals(unittest.TestCase):
    """Every unsupported construct is refused, naming the function and the construct."""

    def test_fixtures(self):
        files = sorted(glob.glob(os.path.join(FIX, "refuse_*.ll")))
        self.assertGreaterEqual(len(files), 20)
        for path in files:
            with self.subTest(fixture=os.path.basename(path)):
                head = read(path).split("\n", 2)
                m = re.match(r"; EXPECT-REFUSE: (\S+) \| (.+)$", head[0].strip())
                self.assertIsNotNone(m, "fixture lacks its EXPECT-REFUSE line")
                func, construct = m.group(1), m.group(2)
                extra = head[1][len("; ARGS:"):].split() if head[1].startswith("; ARGS:") else []
                rc, text, err = run_script(path, *extra)
                self.assertEqual(rc, 2, f"not refused (rc={rc}); stderr:\n{err}")
                self.assertIsNone(text)
                self.assertIn("REFUSED", err)
                lines = [ln for ln in err.splitlines()
                         if f" {func}: " in ln and construct in ln]
                self.assertTrue(lines, f"no line names {func!r} and {construct!r}:\n{err}")

    def test_check_mode(self):
        rc = subprocess.run([sys.executable, SCRIPT, "--check",
                             os.path.join(FIX, "refuse_fcmp.ll")], capture_output=True).returncode
        self.assertEqual(rc, 2)

    def test_rewrite_bug_is_caught_by_the_post_check(self):
        """If a rewrite left a construct behind, the re-analysis refuses instead of emitting."""
        text = read(os.path.join(FIX, "ok_umul.ll"))
        saved = rewrite_ir.expand_umul
        try:
            # a broken expansion that just re-emits the intrinsic call
            rewrite_ir.expand_umul = lambda res, a, b, uid, ind="  ": [
                f"{ind}{res} = call {{ i64, i1 }} @llvm.umul.with.overflow.i64(i64 {a}, i64 {b})"]
            with self.assertRaises(rewrite_ir.Refused) as cm:
                rewrite_ir.rewrite(text, set(rewrite_ir.DEFAULT_EXPORTS))
            self.assertIn("umul.with.overflow.i64 left", str(cm.exception))
        finally:
            rewrite_ir.expand_umul = saved


class TestSret(unittest.TestCase, LlvmMixin):
    def test_sret_dropped(self):
        out = rewrite_fixture("ok_sret.ll")
        self.assertNotIn("sret([16", out)
        self.assertIn('c"sret([8 x i8"', out)  # data is untouched
        self.assertIn("define internal fastcc void @make_pair(ptr dead_on_unwind noalias noundef "
                      "writable writeonly align 8 captures(none) dereferenceable(16) %0, "
                      "i64 noundef %1)", out)
        self.assertIn("call fastcc void @make_pair(ptr noalias noundef nonnull align 8 "
                      "dereferenceable(16) %pair, i64 %x)", out)
        self.assert_llvm_as(out)
        self.assert_bpf_rejects_original_accepts_rewrite("ok_sret.ll", out,
                                                         "aggregate returns are not supported")


class TestManyArgs(unittest.TestCase, LlvmMixin):
    """Mode --many-args inline (the route of SBF-OFFLINE.md): alwaysinline."""

    def test_alwaysinline_and_callsite_noinline(self):
        out = rewrite_fixture("ok_many_args.ll", "--many-args", "inline")
        groups = {int(n): body for n, body in re.findall(r"^attributes #(\d+) = \{ (.*) \}$", out,
                                                        re.M)}
        for fn in ("wide", "six"):
            hdr = re.search(r"^define internal fastcc i64 @" + fn + r"\(.*\) (.*)\{$", out, re.M)
            self.assertIsNotNone(hdr, fn)
            attrs = hdr.group(1)
            self.assertNotIn("noinline", attrs)
            g = int(re.search(r"#(\d+)", attrs).group(1))
            self.assertIn("alwaysinline", groups[g].split())
            self.assertNotIn("noinline", groups[g].split())
        self.assertIn("%r1 = call fastcc i64 @wide(ptr %0, i128 1, i128 2, i64 3), !noalias !0",
                      out)
        self.assertIn("%r2 = tail call fastcc i64 @six(ptr %0, i64 1, i64 2, i64 3, i64 4, "
                      "i64 %r1)\n", out)
        # the original group #1 is still there for anything else that uses it
        self.assertIn("noinline", groups[1])
        self.assert_llvm_as(out)
        self.assert_bpf_rejects_original_accepts_rewrite("ok_many_args.ll", out,
                                                         "stack arguments are not supported")

    def test_register_counting(self):
        self.assertEqual(rewrite_ir.type_regs("i128"), 2)
        self.assertEqual(rewrite_ir.type_regs("i64"), 1)
        self.assertEqual(rewrite_ir.type_regs("i1"), 1)
        self.assertEqual(rewrite_ir.type_regs("ptr"), 1)
        self.assertEqual(rewrite_ir.type_regs("double"), 1)
        self.assertIsNone(rewrite_ir.type_regs("{ i64, i64 }"))


def host_ir(text):
    """Drop the bpfel triple/datalayout so llc compiles the module for the host."""
    return "\n".join(ln for ln in text.split("\n")
                     if not ln.startswith(("target triple", "target datalayout")))


def build_and_run_host(test, ir_text, c_source):
    with tempfile.TemporaryDirectory() as d:
        ll, obj, c, exe = (os.path.join(d, n) for n in ("m.ll", "m.o", "h.c", "h"))
        write(ll, host_ir(ir_text))
        write(c, c_source)
        subprocess.run([LLC, "-O2", "-filetype=obj", "-relocation-model=pic", ll, "-o", obj],
                       check=True)
        cc = subprocess.run([CC, "-O1", c, obj, "-o", exe], capture_output=True, text=True)
        test.assertEqual(cc.returncode, 0, cc.stderr)
        p = subprocess.run([exe], capture_output=True, text=True)
        test.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        test.assertTrue(p.stdout.startswith("ok "), p.stdout)


class TestPack(unittest.TestCase, LlvmMixin):
    """Default mode --many-args pack: trailing arguments go through a caller-built struct."""

    def test_pack_named(self):
        out = rewrite_fixture("ok_many_args.ll")
        # i128 takes two registers: ptr + i128 stay (3 registers), the rest is packed
        self.assertIn("define internal fastcc i64 @wide(ptr noundef %p, i128 %a, ptr noalias "
                      "noundef nonnull readonly align 16 captures(none) %sbfrw.args)", out)
        self.assertIn("%b = load i128, ptr %sbfrw.args.0, align 16", out)
        self.assertIn("%c = load i64, ptr %sbfrw.args.1, align 8", out)
        self.assertIn("define internal fastcc i64 @six(ptr noundef %p, i64 %a, i64 %b, i64 %c, "
                      "ptr noalias", out)
        self.assertIn("%sbfrw.c0 = alloca { i128, i64 }, align 16", out)
        self.assertIn("store i128 2, ptr %sbfrw.c0.0, align 16", out)
        self.assertIn("store i64 %r1, ptr %sbfrw.c1.1, align 8", out)
        self.assertIn("%r1 = call fastcc i64 @wide(ptr %0, i128 1, ptr %sbfrw.c0) #2, "
                      "!noalias !0", out)
        # `tail` is dropped: the callee reads the caller's alloca
        self.assertIn("%r2 = call fastcc i64 @six(ptr %0, i64 1, i64 2, i64 3, ptr %sbfrw.c1)",
                      out)
        self.assert_llvm_as(out)
        self.assert_bpf_rejects_original_accepts_rewrite("ok_many_args.ll", out,
                                                         "stack arguments are not supported")

    def test_pack_numbered(self):
        out = rewrite_fixture("ok_many_args_numbered.ll")
        self.assertIn("define internal fastcc i64 @mix(i64 noundef %sbfrw.n0, i128 %sbfrw.n1, "
                      "ptr noundef readonly %sbfrw.n2, ptr noalias", out)
        self.assertIn("%sbfrw.n6 = load i64, ptr %sbfrw.args.3, align 8", out)
        self.assertIn("sbfrw.n20:", out)
        self.assertIn("[ %sbfrw.n23, %sbfrw.n20 ], [ %sbfrw.n26, %sbfrw.n24 ]", out)
        self.assertNotRegex(out, r"tail call fastcc i64 @mix")
        self.assertRegex(out, r"%2 = call fastcc i64 @mix\(i64 11, i128 \d+, ptr %0, "
                              r"ptr %sbfrw.c0\)\n")
        hdr = re.search(r"^define internal fastcc i64 @mix\(.*\) unnamed_addr #(\d+) \{$", out,
                        re.M)
        group = re.search(r"^attributes #" + hdr.group(1) + r" = \{ (.*) \}$", out, re.M).group(1)
        self.assertNotIn("memory(", group)
        self.assertNotIn("speculatable", group)
        self.assert_llvm_as(out)
        self.assert_bpf_rejects_original_accepts_rewrite("ok_many_args_numbered.ll", out,
                                                         "stack arguments are not supported")

    def test_recursion_is_fine_when_packing(self):
        for name in ("refuse_inline_recursive.ll", "refuse_inline_mutual_recursion.ll"):
            with self.subTest(fixture=name):
                out = rewrite_fixture(name)
                self.assert_llvm_as(out)
                r = self.bpf_codegen(out, passes="default<O2>")
                if r is not None:
                    self.assertTrue(r[0], r[1])

    @unittest.skipUnless(LLC and CC, "needs llc-22 and a C compiler")
    def test_pack_native(self):
        """Run the packed @mix (7 parameters of 6 types, two call sites) on the host and compare
        with a C model over edge and random inputs."""
        out = rewrite_fixture("ok_many_args_numbered.ll")
        harness = r"""
#include <stdint.h>
#include <stdio.h>
#include <string.h>
uint64_t mix_check(void *in);
typedef struct { unsigned __int128 b; uint64_t p; uint32_t e; uint32_t pad; double f;
                 uint8_t g; uint8_t pad2[7]; uint64_t h; } __attribute__((aligned(16))) In;
static uint64_t mix(uint64_t a, unsigned __int128 b, const uint64_t *p, uint32_t e, double f,
                    uint8_t g, uint64_t h) {
  uint64_t r, fb; memcpy(&fb, &f, 8);
  if (h == 0) r = a + fb + (uint64_t)g * 7;
  else r = a + (uint64_t)b * 3 + ((uint64_t)(b >> 64) ^ *p) + (uint64_t)e * 5;
  return r + h;
}
static uint64_t s = 0x243F6A8885A308D3ull;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
int main(void) {
  long i;
  for (i = 0; i < 200000; i++) {
    In in; memset(&in, 0, sizeof in);
    in.b = ((unsigned __int128)rnd() << 64) | rnd(); in.p = rnd(); in.e = (uint32_t)rnd();
    uint64_t fb = rnd(); memcpy(&in.f, &fb, 8); in.g = (uint8_t)rnd();
    in.h = (i % 3 == 0) ? 0 : rnd();
    uint64_t want = mix(11, ~(unsigned __int128)0, (const uint64_t *)&in, 42, 1.5, 200, 0)
                  ^ mix((uint64_t)in.b, in.b, &in.p, in.e, in.f, in.g, in.h);
    uint64_t got = mix_check(&in);
    if (got != want) { printf("MISMATCH %ld %llx %llx\n", i, (unsigned long long)got,
                              (unsigned long long)want); return 1; }
  }
  printf("ok %ld\n", i);
  return 0;
}
"""
        build_and_run_host(self, out, harness)


def interpret(lines, env):
    """Evaluate the straight-line i64/i1 IR that expand_umul emits."""
    def val(tok):
        tok = tok.strip()
        if tok.startswith("%"):
            return env[tok]
        if tok == "poison":
            return (0, False)
        return int(tok) & U64

    for ln in lines:
        m = re.match(r"^\s*(%\S+) = (and|lshr|mul|add) i64 ([^,]+), (\S+)$", ln)
        if m:
            d, op, a, b = m.groups()
            a, b = val(a), val(b)
            env[d] = {"and": a & b, "lshr": a >> b if b < 64 else None, "mul": (a * b) & U64,
                      "add": (a + b) & U64}[op]
            continue
        m = re.match(r"^\s*(%\S+) = icmp ne i64 (\S+), (\S+)$", ln)
        if m:
            env[m.group(1)] = val(m.group(2)) != val(m.group(3))
            continue
        m = re.match(r"^\s*(%\S+) = insertvalue \{ i64, i1 \} (\S+), (i64|i1) (\S+), ([01])$", ln)
        if m:
            agg = list(val(m.group(2)))
            agg[int(m.group(5))] = val(m.group(4))
            env[m.group(1)] = tuple(agg)
            continue
        raise AssertionError(f"unexpected instruction in expansion: {ln}")
    return env


def edge_values():
    vals = {0, 1, 2, 3, 187, 10_000, U64, U64 - 1, 1 << 63, (1 << 63) - 1, (1 << 63) + 1}
    for k in (31, 32, 33, 63):
        vals |= {1 << k, (1 << k) - 1, (1 << k) + 1}
    vals |= {0xFFFFFFFF, 0x1_0000_0000, 0xFFFFFFFF_00000000, 0x00000000_FFFFFFFF,
             0xFFFFFFFF_FFFFFFFF, 0x1_0000_0001, 4294967296 * 4294967295}
    return sorted(v & U64 for v in vals)


class TestUmul(unittest.TestCase, LlvmMixin):
    def test_expansion_in_fixture(self):
        out = rewrite_fixture("ok_umul.ll")
        self.assertNotIn("call { i64, i1 } @llvm.umul.with.overflow", out)
        self.assertIn("%r = insertvalue { i64, i1 } %sbfrw.0.agg, i1 %sbfrw.0.ov, 1", out)
        self.assertIn("%sbfrw.1.alo = and i64 %lo, 4294967295", out)
        self.assertIn("%sbfrw.1.blo = and i64 187, 4294967295", out)
        # the uses are untouched
        self.assertIn("%ov = extractvalue { i64, i1 } %r, 1", out)
        self.assertIn("%clo = extractvalue { i64, i1 } %c, 0", out)
        self.assert_llvm_as(out)
        self.assert_bpf_rejects_original_accepts_rewrite("ok_umul.ll", out,
                                                         "__multi3|only small returns")

    def test_numeric_model(self):
        """Interpret the emitted instructions over edge and random inputs."""
        lines = rewrite_ir.expand_umul("%res", "%a", "%b", "t")
        rnd = random.Random(20261123)
        edges = edge_values()
        pairs = [(a, b) for a in edges for b in edges]
        for _ in range(20000):
            bits_a, bits_b = rnd.randint(0, 64), rnd.randint(0, 64)
            pairs.append((rnd.getrandbits(64) >> (64 - bits_a) if bits_a else 0,
                          rnd.getrandbits(64) >> (64 - bits_b) if bits_b else 0))
        for a, b in pairs:
            env = interpret(lines, {"%a": a, "%b": b})
            lo, ov = env["%res"]
            self.assertEqual(lo, (a * b) & U64, (a, b))
            self.assertEqual(ov, a * b > U64, (a, b))
            # no intermediate value ever wraps (so the expansion is exact, not just mod 2^64)
            t = "%sbfrw.t."
            self.assertEqual(env[t + "hi"], (a * b) >> 64, (a, b))
        # constant operands are emitted verbatim
        lines = rewrite_ir.expand_umul("%res", "%a", "187", "k")
        env = interpret(lines, {"%a": U64})
        self.assertEqual(env["%res"], ((U64 * 187) & U64, True))

    @unittest.skipUnless(LLC and CC, "needs llc-22 and a C compiler")
    def test_numeric_native(self):
        """Compile the rewritten IR for the host and compare with a 128-bit product in C."""
        out = rewrite_fixture("umul_host.ll")
        self.assertNotIn("call { i64, i1 } @llvm.umul.with.overflow.i64(", out)
        harness = r"""
#include <stdint.h>
#include <stdio.h>
void umul_check(uint64_t a, uint64_t b, uint64_t *lo, uint8_t *ov);
static uint64_t s = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
static int check(uint64_t a, uint64_t b) {
  uint64_t lo; uint8_t ov;
  umul_check(a, b, &lo, &ov);
  unsigned __int128 p = (unsigned __int128)a * b;
  if (lo != (uint64_t)p || ov != (uint8_t)((p >> 64) != 0)) {
    printf("MISMATCH a=%llu b=%llu lo=%llu ov=%u\n", (unsigned long long)a,
           (unsigned long long)b, (unsigned long long)lo, ov);
    return 1;
  }
  return 0;
}
int main(void) {
  static const uint64_t e[] = {EDGES};
  unsigned n = sizeof e / sizeof e[0], i, j; long count = 0;
  for (i = 0; i < n; i++) for (j = 0; j < n; j++) { if (check(e[i], e[j])) return 1; count++; }
  for (i = 0; i < 2000000; i++) {
    uint64_t a = rnd() >> (rnd() % 64), b = rnd() >> (rnd() % 64);
    if (check(a, b) || check(a, a) || check(a, 187)) return 1;
    count += 3;
  }
  printf("ok %ld\n", count);
  return 0;
}
""".replace("EDGES", ", ".join(f"{v}ull" for v in edge_values()))
        build_and_run_host(self, out, harness)


class TestFloat(unittest.TestCase, LlvmMixin):
    def test_float_calls(self):
        out = rewrite_fixture("ok_float.ll")
        for expected in (
            "%f = call double @__floatundidf(i64 %n)",
            "%m = call double @__muldf3(double 2.000000e+00, double %f)",
            "%s = call double @__adddf3(double %m, double 1.500000e+00)",
            "%d = call double @__subdf3(double %s, double %f)",
            "%q = call double @__divdf3(double %d, double 0x4010000000000000)",
            "%sbfrw.0.zext = zext i32 %b to i64",
            "%fb = call double @__floatundidf(i64 %sbfrw.0.zext)",
            "%q2 = call double @__adddf3(double %q, double %fb)",
            "%neg = fneg double %q2",  # allowed as is
            "%abs = call double @llvm.fabs.f64(double %neg)",  # allowed as is
            "%r = tail call i64 @__fixunsdfdi(double %abs)",
        ):
            self.assertIn(expected, out)
        self.assertNotRegex(out, r"= (fmul|fadd|fsub|fdiv|uitofp) ")
        self.assert_llvm_as(out)
        self.assert_bpf_rejects_original_accepts_rewrite("ok_float.ll", out,
                                                         "built-in function '__")

    def test_check_mode_accepts_rewritten_output(self):
        out = rewrite_fixture("ok_float.ll")
        with tempfile.NamedTemporaryFile("w", suffix=".ll", delete=False) as fh:
            fh.write(out)
        try:
            p = subprocess.run([sys.executable, SCRIPT, "--check", fh.name], capture_output=True,
                               text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
        finally:
            os.unlink(fh.name)


class TestLexing(unittest.TestCase):
    def test_split_top(self):
        self.assertEqual(
            rewrite_ir.split_top("i64 noundef range(i64 0, 2) %1, ptr %2, { i64, i1 } %3"),
            ["i64 noundef range(i64 0, 2) %1", "ptr %2", "{ i64, i1 } %3"])
        self.assertEqual(rewrite_ir.split_top('ptr @"a,b", i8 1'), ['ptr @"a,b"', "i8 1"])

    def test_strip_sret(self):
        s, n = rewrite_ir.strip_sret("ptr noalias sret({ i64, [2 x i8] }) align 8 %0")
        self.assertEqual((s, n), ("ptr noalias align 8 %0", 1))
        self.assertEqual(rewrite_ir.strip_sret('c"xsret(" x')[1], 0)


if __name__ == "__main__":
    unittest.main()

#!/usr/bin/env python3
"""Rewrite LTO'd LLVM IR so that LLVM 22's BPF backend can generate SBF code for it.

Input: the textual IR that `sbpf-linker --emit llvm-ir` writes for the whole program (step 1 of
tools/sbf/link.sh). Output: IR for `llvm-as-22` and the final `sbpf-linker` run (step 3).

The BPF backend rejects, after LTO, constructs that Anchor/Solana programs produce. This tool
fixes exactly these, and nothing else:

  * `sret(T)` parameter attributes ("aggregate returns are not supported"): dropped. The
    parameter stays an ordinary pointer; callers and callees agree because both are in this
    one module and both are rewritten.
  * functions with more than 5 argument registers, i128 counting 2 ("too many arguments",
    "stack arguments are not supported"): every such function must be internal (module-local)
    and only ever called directly by `call` (not musttail). Default (--many-args pack): it keeps
    its leading parameters (at most 4 registers) and receives the rest through a pointer to a
    struct each caller fills in an alloca of its entry block, which is what a C compiler does
    with stack arguments; the function's numbered values are renamed, `tail` is dropped from
    the calls (the callee now reads the caller's frame) and memory(...) effects are dropped
    from callee and callers. --many-args inline (SBF-OFFLINE.md's route, also refuses
    recursion): the function is marked `alwaysinline` (noinline/optnone dropped) and call-site
    `noinline` is dropped, so the final link inlines it away; for a program with many Anchor
    instructions that makes `entrypoint` exceed the 4 KiB stack frame and the branch range.
  * `llvm.umul.with.overflow.i64` (lowered by LLVM to a `__multi3` libcall the backend refuses):
    expanded inline into 32-bit limb arithmetic on i64 registers.
  * f64 arithmetic (lowered to soft-float libcalls the backend refuses): `fmul/fadd/fsub/fdiv
    double` -> calls of `__muldf3/__adddf3/__subdf3/__divdf3`, `uitofp iN to double` (N <= 64)
    -> `__floatundidf`, `llvm.fptoui.sat.i64.f64` -> `__fixunsdfdi`. These functions must be
    defined in the module (solana-compiler-builtins provides them; its `__fixunsdfdi`
    saturates exactly like `fptoui.sat`).

Anything else it cannot prove it handles is REFUSED (exit 2, one line per problem naming the
function and the construct): fcmp, sitofp, fptosi, frem, fpext/fptrunc, float (f32) math, float
intrinsics other than fabs/copysign, smul.with.overflow.i64+, umul.with.overflow on i128,
mul/div/rem on integers wider than 64 bits, >5-register functions that are exported, declared
externally, address-taken, called indirectly/by invoke/musttail, with byval-like or
aggregate/vector parameters (inline mode: also recursive ones), invoke/callbr of rewritten
constructs, ... After rewriting, the result is analysed again
and must be free of every construct above (so a bug in a rewrite fails the build, not the
program).

Allowed as-is because the backend lowers them without libcalls: `fneg double`, `llvm.fabs.f64`,
`llvm.copysign.f64`, and loads/stores/phis/selects/bitcasts of double values.

Usage: rewrite_ir.py IN.ll -o OUT.ll [--export sym,sym] [--many-args pack|inline] [--quiet]
       rewrite_ir.py --check IN.ll        (analyse only; exit 2 if it would need/refuse work)
Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field

MAX_ARG_REGS = 5

# Default exports of the final link (see link.sh); an exported function keeps its signature.
DEFAULT_EXPORTS = ("entrypoint", "memcpy", "memmove", "memset", "memcmp", "bcmp")

FLOAT_BINOPS = {"fmul": "__muldf3", "fadd": "__adddf3", "fsub": "__subdf3", "fdiv": "__divdf3"}
FMF = {"fast", "nnan", "ninf", "nsz", "arcp", "contract", "afn", "reassoc"}
# Float instructions we never accept unless rewritten above.
FLOAT_INSNS = ("fadd", "fsub", "fmul", "fdiv", "frem", "fneg", "fcmp", "fptoui", "fptosi",
               "uitofp", "sitofp", "fpext", "fptrunc")
# Float intrinsics the BPF backend lowers to plain integer bit operations.
ALLOWED_FLOAT_INTRINSICS = {"llvm.fabs.f64", "llvm.copysign.f64"}
# Signatures (return type, parameter types) the emitted calls assume; checked on the definitions.
BUILTIN_SIGS = {
    "__muldf3": ("double", ["double", "double"]),
    "__adddf3": ("double", ["double", "double"]),
    "__subdf3": ("double", ["double", "double"]),
    "__divdf3": ("double", ["double", "double"]),
    "__floatundidf": ("double", ["i64"]),
    "__fixunsdfdi": ("i64", ["double"]),
}
CALLING_CONVS = re.compile(r"^(fastcc|coldcc|tailcc|swiftcc|swifttailcc|cfguard_checkcc|"
                           r"ghccc|cc\d+|preserve_\w+|anyregcc|\w+_cc|\w+cc)$")

NAME_RE = r'(?:"(?:[^"\\]|\\.)*"|[-a-zA-Z$._][-a-zA-Z$._0-9]*|\d+)'
GLOBAL_REF_RE = re.compile(r"@(" + NAME_RE + r")")
LOCAL_DEF_RE = re.compile(r"^\s*(%" + NAME_RE + r")\s*=\s*(.*)$")
CALL_RE = re.compile(r"^(?:(?:tail|musttail|notail)\s+)?(call|invoke|callbr)\b")
ATTR_GROUP_RE = re.compile(r"^attributes #(\d+) = \{(.*)\}\s*$")


class Refused(Exception):
    pass


# ----------------------------------------------------------------------------------------------
# Lexical helpers
# ----------------------------------------------------------------------------------------------

_OPEN = {"(": ")", "[": "]", "{": "}", "<": ">"}
_CLOSE = {v: k for k, v in _OPEN.items()}


def _scan(s: str):
    """Yield (index, char, depth) skipping quoted strings (depth counts (),[],{},<>)."""
    depth = 0
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == '"':
            j = i + 1
            while j < n and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            yield i, c, depth
            i = j + 1
            continue
        if c in _OPEN:
            yield i, c, depth
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            yield i, c, depth
        else:
            yield i, c, depth
        i += 1


def split_top(s: str, sep: str = ",") -> list[str]:
    """Split on `sep` at bracket depth 0, outside strings."""
    parts, start = [], 0
    for i, c, d in _scan(s):
        if c == sep and d == 0:
            parts.append(s[start:i].strip())
            start = i + 1
    tail = s[start:].strip()
    if tail or parts:
        parts.append(tail)
    return [p for p in parts if p != ""] if sep.isspace() else parts


def tokens_top(s: str) -> list[str]:
    """Whitespace-separated tokens at depth 0 (a token may contain bracketed spaces)."""
    toks = []
    last = 0
    for i, c, d in _scan(s):
        if c.isspace() and d == 0:
            tok = s[last:i].strip()
            if tok:
                toks.append(tok)
            last = i + 1
    tok = s[last:].strip()
    if tok:
        toks.append(tok)
    return toks


def matching_paren(s: str, open_idx: int) -> int:
    depth = 0
    for i, c, d in _scan(s[open_idx:]):
        if c == "(" and d == 0 and depth == 0:
            depth = 1
            continue
        if c in _OPEN:
            depth += 1
        elif c in _CLOSE:
            depth -= 1
            if depth == 0:
                return open_idx + i
    raise ValueError("unbalanced parentheses")


def strip_sret(s: str) -> tuple[str, int]:
    """Remove every `sret(<type>)` attribute outside string literals; returns (text, count)."""
    starts = []
    for i, c, _ in _scan(s):
        if c == "s" and s.startswith("sret(", i) and (i == 0 or s[i - 1] in " \t(,"):
            starts.append(i)
    if not starts:
        return s, 0
    out, last = [], 0
    for j in starts:
        if j < last:
            continue
        end = matching_paren(s, j + 4)
        pre = s[last:j]
        if pre.endswith(" "):
            pre = pre[:-1]
        out.append(pre)
        last = end + 1
    out.append(s[last:])
    return "".join(out), len(starts)


def type_regs(ty: str) -> int | None:
    """Argument registers an IR type takes on BPF (None: not a scalar we can count)."""
    if ty == "ptr" or ty.startswith("ptr addrspace("):
        return 1
    m = re.fullmatch(r"i(\d+)", ty)
    if m:
        return max(1, (int(m.group(1)) + 63) // 64)
    if ty in ("double", "float", "half", "bfloat"):
        return 1
    return None


def param_type(param: str) -> str:
    toks = tokens_top(param)
    return toks[0] if toks else ""


def strip_metadata_suffix(s: str) -> tuple[str, str]:
    """Split `insn, !dbg !1, !noalias !2` into ("insn", ", !dbg !1, !noalias !2")."""
    parts = split_top(s)
    k = len(parts)
    while k > 0 and parts[k - 1].startswith("!"):
        k -= 1
    if k == len(parts):
        return s.rstrip(), ""
    return ", ".join(parts[:k]), "".join(", " + p for p in parts[k:])


# ----------------------------------------------------------------------------------------------
# Module model
# ----------------------------------------------------------------------------------------------

@dataclass
class Function:
    name: str
    header_idx: int
    end_idx: int  # index of the closing "}" line (== header_idx for declarations)
    is_def: bool
    linkage: str
    params: list[str]
    regs: int | None  # None if a parameter type cannot be counted
    varargs: bool
    callees: set[str] = field(default_factory=set)


@dataclass
class CallSite:
    func: str  # containing function
    line_idx: int
    kind: str  # call / invoke / callbr
    callee: str | None  # global name for direct calls, None for indirect/asm
    callee_span: tuple[int, int] | None  # span of "@name" in the line
    args: list[str]
    args_span: tuple[int, int]  # span of "(...)" in the line
    regs: int | None


def parse_header(line: str):
    m = re.match(r"^(define|declare)\s+(.*?)@(" + NAME_RE + r")\(", line)
    if not m:
        return None
    kind, prefix, name = m.group(1), m.group(2), m.group(3)
    open_idx = m.end() - 1
    close_idx = matching_paren(line, open_idx)
    params = split_top(line[open_idx + 1:close_idx])
    varargs = bool(params) and params[-1] == "..."
    if varargs:
        params = params[:-1]
    linkage = ""
    for tok in prefix.split():
        if tok in ("private", "internal", "available_externally", "linkonce", "weak", "common",
                   "appending", "extern_weak", "linkonce_odr", "weak_odr", "external"):
            linkage = tok
    regs = 0
    for p in params:
        r = type_regs(param_type(p))
        if r is None:
            regs = None
            break
        regs += r
    return kind, name, params, varargs, linkage, regs, open_idx, close_idx


def parse_call(line: str):
    """Parse a call/invoke/callbr instruction line. Returns (kind, callee, span, args, args_span)
    or None if the line is not a call."""
    body = line.strip()
    m = LOCAL_DEF_RE.match(line)
    rest_off = 0
    if m:
        body = m.group(2)
        rest_off = m.start(2)
    else:
        rest_off = len(line) - len(line.lstrip())
    cm = CALL_RE.match(body)
    if not cm:
        return None
    kind = cm.group(1)
    after = body[cm.end():]
    base = rest_off + cm.end()
    # Walk depth-0 tokens; the callee is the first token beginning with '@' or '%', and its
    # argument list is the parenthesised group glued to it.
    for i, c, d in _scan(after):
        if d != 0 or c not in "@%":
            continue
        if i > 0 and not after[i - 1].isspace():
            continue
        nm = re.match(("@" if c == "@" else "%") + "(" + NAME_RE + r")\(", after[i:])
        if not nm:
            continue
        open_idx = i + nm.end() - 1
        close_idx = matching_paren(after, open_idx)
        args = split_top(after[open_idx + 1:close_idx])
        callee = nm.group(1) if c == "@" else None
        span = (base + i, base + i + 1 + len(nm.group(1))) if c == "@" else None
        return kind, callee, span, args, (base + open_idx, base + close_idx + 1)
    # inline asm or something we cannot follow
    return kind, None, None, [], (len(line), len(line))


class Module:
    def __init__(self, text: str):
        self.lines = text.split("\n")
        self.functions: dict[str, Function] = {}
        self.calls: list[CallSite] = []
        self.attr_groups: dict[int, str] = {}
        self.addr_taken: dict[str, str] = {}  # function name -> where
        self._parse()

    def _parse(self):
        lines = self.lines
        i = 0
        n = len(lines)
        while i < n:
            line = lines[i]
            if line.startswith("define ") or line.startswith("declare "):
                h = parse_header(line)
                if h is None:
                    raise Refused(f"<module>: cannot parse function header: {line[:160]}")
                kind, name, params, varargs, linkage, regs, _, _ = h
                if kind == "define":
                    j = i + 1
                    while j < n and lines[j] != "}":
                        j += 1
                    if j >= n:
                        raise Refused(f"{name}: unterminated function body")
                else:
                    j = i
                f = Function(name, i, j, kind == "define", linkage, params, regs, varargs)
                self.functions[name] = f
                # references in the header (personality, prefix data) count as address-taken
                hdr_after = line[matching_paren(line, h[6]) + 1:]
                for ref in GLOBAL_REF_RE.findall(hdr_after):
                    self.addr_taken.setdefault(ref, f"header of {name}")
                if kind == "define":
                    for k in range(i + 1, j):
                        self._scan_body_line(f, k)
                i = j + 1
                continue
            m = ATTR_GROUP_RE.match(line)
            if m:
                self.attr_groups[int(m.group(1))] = m.group(2).strip()
            elif line.startswith("@") or line.startswith("!"):
                # global variable / alias initialisers (vtables!) and metadata take addresses
                where = "global " + line.split(" ", 1)[0]
                eq = line.find("=")
                for ref in GLOBAL_REF_RE.findall(line[eq + 1:] if eq >= 0 else line):
                    self.addr_taken.setdefault(ref, where)
            i += 1

    def _scan_body_line(self, f: Function, k: int):
        line = self.lines[k]
        if "@" not in line and "call " not in line and "invoke " not in line \
                and "callbr " not in line:
            return
        pc = parse_call(line)
        skip = None
        if pc is not None:
            kind, callee, span, args, args_span = pc
            regs = 0
            for a in args:
                r = type_regs(param_type(a))
                if r is None:
                    regs = None
                    break
                regs += r
            self.calls.append(CallSite(f.name, k, kind, callee, span, args, args_span, regs))
            if callee is not None:
                f.callees.add(callee)
                skip = span
        for m in GLOBAL_REF_RE.finditer(line):
            if skip is not None and m.start() == skip[0]:
                continue
            self.addr_taken.setdefault(m.group(1), f"function {f.name}")

    def func_of_line(self, idx: int) -> str:
        for f in self.functions.values():
            if f.is_def and f.header_idx < idx < f.end_idx:
                return f.name
        return "<module>"


# ----------------------------------------------------------------------------------------------
# Analysis: what needs rewriting and what must be refused
# ----------------------------------------------------------------------------------------------

def recursive_functions(mod: Module) -> set[str]:
    """Functions on a cycle of the direct call graph (Tarjan SCC, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: set[str] = set()
    counter = 0
    graph = {n: [c for c in f.callees if c in mod.functions and mod.functions[c].is_def]
             for n, f in mod.functions.items() if f.is_def}
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            advanced = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(graph[w])))
                    advanced = True
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in graph[v]:
                    result.update(comp)
    return result


def float_problems(line: str) -> list[str]:
    """Float constructs on an instruction line that we do not rewrite (construct names)."""
    out = []
    body = line.strip()
    m = LOCAL_DEF_RE.match(line)
    if m:
        body = m.group(2)
    op = body.split(" ", 1)[0]
    rest = body[len(op):]
    if op in FLOAT_INSNS:
        if op == "fneg" and re.match(r"^(\s+(" + "|".join(FMF) + r"))*\s+double\s", rest):
            pass
        else:
            words = [w for w in rest.split() if w not in FMF and w != "nneg"]
            if op == "fcmp":
                name = f"fcmp {words[0]} {words[1]}" if len(words) > 1 else "fcmp"
            elif op in ("fptoui", "fptosi", "uitofp", "sitofp", "fpext", "fptrunc"):
                to = re.search(r"\sto\s+(\S+)", rest)
                name = f"{op} {words[0] if words else '?'} to {to.group(1) if to else '?'}"
            else:
                name = f"{op} {words[0] if words else '?'}"
            out.append(f"{name} (`{line.strip()[:100]}`)")
    if op == "atomicrmw" and re.match(r"^\s+(volatile\s+)?f(add|sub|max|min|maximum|minimum)\b",
                                      rest):
        out.append("atomicrmw " + rest.split()[0] if rest.split()[0] != "volatile"
                   else "atomicrmw volatile " + rest.split()[1])
    for ref in GLOBAL_REF_RE.findall(line):
        if ref.startswith("llvm.") and re.search(
                r"\.(f16|bf16|f32|f64|f80|f128|ppcf128|v\d+f\d+|nxv\d+f\d+)(\.|$)", ref):
            if ref not in ALLOWED_FLOAT_INTRINSICS and ref != "llvm.fptoui.sat.i64.f64":
                out.append("call @" + ref)
        if ref.startswith("llvm.experimental.constrained."):
            out.append("call @" + ref)
    return out


def int_problems(line: str) -> list[str]:
    out = []
    body = line.strip()
    m = LOCAL_DEF_RE.match(line)
    if m:
        body = m.group(2)
    mm = re.match(r"^(mul|udiv|sdiv|urem|srem)\b((?:\s+(?:nuw|nsw|exact))*)\s+i(\d+)\s", body)
    if mm and int(mm.group(3)) > 64:
        out.append(f"{mm.group(1)} i{mm.group(3)}")
    mm = re.match(r"^(mul|udiv|sdiv|urem|srem)\b((?:\s+(?:nuw|nsw|exact))*)\s+<", body)
    if mm:
        out.append(f"vector {mm.group(1)}")
    for ref in GLOBAL_REF_RE.findall(line):
        w = re.fullmatch(r"llvm\.(u|s)mul\.with\.overflow\.(v\d+)?i(\d+)", ref)
        if w:
            width = int(w.group(3))
            if w.group(2):
                out.append("call @" + ref)
            elif w.group(1) == "s" and width >= 64:
                out.append("call @" + ref)
            elif w.group(1) == "u" and width > 64:
                out.append("call @" + ref)
        if re.fullmatch(r"llvm\.[us]mul\.fix(\.sat)?\..*|llvm\.[us]div\.fix(\.sat)?\..*", ref):
            out.append("call @" + ref)
    return out


@dataclass
class Analysis:
    refusals: list[tuple[str, str]]  # (function, construct)
    to_inline: set[str]  # functions with > MAX_ARG_REGS registers (to pack or to inline)
    sret: int
    umul: list[int]  # line indices
    fbin: list[int]
    uitofp: list[int]
    fptoui_sat: list[int]


def analyse(mod: Module, exports: set[str], after_rewrite: bool = False,
            mode: str = "pack") -> Analysis:
    refusals: list[tuple[str, str]] = []
    to_inline: set[str] = set()
    recursive = recursive_functions(mod)

    # Functions taking more than MAX_ARG_REGS argument registers.
    called = {c.callee for c in mod.calls if c.callee is not None}
    for f in mod.functions.values():
        if f.name.startswith("llvm."):
            continue  # intrinsics are not calls at the machine level
        if f.regs is not None and f.regs <= MAX_ARG_REGS and not f.varargs:
            continue
        if not f.is_def and f.name not in called:
            continue
        if f.regs is None:
            # Only matters if somebody calls it or it is defined here: aggregates/vectors by
            # value are not something we can count, so refuse.
            refusals.append((f.name, "parameter of aggregate/vector type (cannot count "
                                     "argument registers)"))
            continue
        if f.varargs:
            if f.is_def:
                refusals.append((f.name, "variadic function"))
            continue
        what = f"function with {f.regs} argument registers (> {MAX_ARG_REGS})"
        if not f.is_def:
            refusals.append((f.name, what + ", declared externally (cannot inline)"))
            continue
        bad = False
        if f.linkage not in ("internal", "private"):
            refusals.append((f.name, what + f", not internal (linkage '{f.linkage or 'external'}')"))
            bad = True
        if f.name in exports:
            refusals.append((f.name, what + ", exported"))
            bad = True
        if f.name in mod.addr_taken:
            refusals.append((f.name, what + f", address-taken (used in {mod.addr_taken[f.name]})"))
            bad = True
        if f.name in recursive and mode == "inline":
            refusals.append((f.name, what + ", recursive (cannot be inlined)"))
            bad = True
        if mode == "pack":
            for problem in pack_split(f)[1]:
                refusals.append((f.name, what + ", " + problem))
                bad = True
        if not bad:
            to_inline.add(f.name)

    for c in mod.calls:
        if c.callee is not None and c.callee.startswith("llvm."):
            continue
        if c.callee is None:
            if c.regs is None:
                refusals.append((c.func, f"indirect {c.kind} with aggregate/vector argument"))
            elif c.regs > MAX_ARG_REGS:
                refusals.append((c.func, f"indirect {c.kind} with {c.regs} argument registers "
                                         f"(> {MAX_ARG_REGS})"))
            continue
        callee = mod.functions.get(c.callee)
        if callee is not None and callee.name in to_inline:
            if c.kind != "call":
                refusals.append((c.func, f"{c.kind} of {c.callee} with {c.regs} argument "
                                         "registers"))
            elif re.match(r"^\s*(%\S+\s*=\s*)?musttail\s", mod.lines[c.line_idx]):
                refusals.append((c.func, f"musttail call of {c.callee} with {c.regs} argument "
                                         "registers"))
            elif mode == "pack":
                k = pack_split(callee)[0]
                want = [param_type(p) for p in callee.params]
                got = [param_type(a) for a in c.args]
                if want != got:
                    refusals.append((c.func, f"call of {c.callee} with argument types "
                                             f"({', '.join(got)}) != ({', '.join(want)})"))
        if callee is None and c.regs is not None and c.regs > MAX_ARG_REGS:
            refusals.append((c.func, f"call of undeclared @{c.callee} with {c.regs} argument "
                                     "registers"))

    # Per-instruction constructs.
    sret = 0
    umul, fbin, uitofp, fptoui_sat = [], [], [], []
    defined = {n for n, f in mod.functions.items() if f.is_def}
    needed_builtins: dict[str, tuple[str, str]] = {}
    for f in mod.functions.values():
        if not f.is_def:
            continue
        for k in range(f.header_idx + 1, f.end_idx):
            line = mod.lines[k]
            s = line.strip()
            if not s or s.startswith(";") or s.endswith(":") and " " not in s:
                continue
            if re.match(r"^[-a-zA-Z$._0-9]+:(\s*;.*)?$", s):
                continue
            m = LOCAL_DEF_RE.match(line)
            body = m.group(2) if m else s
            op = body.split(" ", 1)[0]
            handled = False
            if op in FLOAT_BINOPS:
                if parse_float_binop(line) is not None:
                    fbin.append(k)
                    handled = True
                    needed_builtins.setdefault(FLOAT_BINOPS[op], (f.name, op + " double"))
            elif op == "uitofp":
                p = parse_uitofp(line)
                if p is not None and p[2] <= 64:
                    uitofp.append(k)
                    handled = True
                    needed_builtins.setdefault("__floatundidf", (f.name, "uitofp to double"))
            if "@llvm.umul.with.overflow.i64(" in line:
                pc = parse_call(line)
                if pc is None or pc[0] != "call" or pc[1] != "llvm.umul.with.overflow.i64" \
                        or not m or len(pc[3]) != 2:
                    refusals.append((f.name, "llvm.umul.with.overflow.i64 in an unsupported "
                                             "form: " + s[:120]))
                else:
                    umul.append(k)
            if "@llvm.fptoui.sat.i64.f64(" in line:
                pc = parse_call(line)
                if pc is None or pc[0] != "call" or pc[1] != "llvm.fptoui.sat.i64.f64" \
                        or len(pc[3]) != 1 or not pc[3][0].startswith("double "):
                    refusals.append((f.name, "llvm.fptoui.sat.i64.f64 in an unsupported form: "
                                             + s[:120]))
                else:
                    fptoui_sat.append(k)
                    needed_builtins.setdefault("__fixunsdfdi", (f.name, "llvm.fptoui.sat.i64.f64"))
            if not handled:
                for what in float_problems(line):
                    if what.startswith("call @llvm.fptoui.sat.i64.f64"):
                        continue
                    refusals.append((f.name, what))
            for what in int_problems(line):
                refusals.append((f.name, what))
            if "sret(" in line:
                sret += strip_sret(line)[1]
    for line_idx, line in enumerate(mod.lines):
        if (line.startswith("define ") or line.startswith("declare ")) and "sret(" in line:
            sret += strip_sret(line)[1]
    for b, (fn, what) in sorted(needed_builtins.items()):
        if b not in defined:
            refusals.append((fn, f"{what} needs @{b}, which is not defined in the module "
                                 "(link solana-compiler-builtins: `use solana_compiler_builtins "
                                 "as _;`)"))
            continue
        problem = builtin_signature_problem(mod, b)
        if problem:
            refusals.append((fn, f"{what} needs @{b}, but its definition {problem}"))

    if after_rewrite:
        # Everything must be gone now. Mode pack: no function or call may still take more than
        # 5 argument registers. Mode inline: >5-register functions must carry alwaysinline
        # without noinline, and no call of them may carry noinline.
        leftovers = []
        if mode == "pack":
            for name in sorted(to_inline):
                leftovers.append((name, f"still takes {mod.functions[name].regs} argument "
                                        "registers"))
            to_inline = set()
        if sret:
            leftovers.append(("<module>", f"{sret} sret attribute(s) left"))
        for k in umul:
            leftovers.append((mod.func_of_line(k), "llvm.umul.with.overflow.i64 left"))
        for k in fbin + uitofp + fptoui_sat:
            leftovers.append((mod.func_of_line(k), "float operation left: "
                              + mod.lines[k].strip()[:80]))
        for name in to_inline:
            f = mod.functions[name]
            attrs = function_attr_tokens(mod, f)
            if "alwaysinline" not in attrs or "noinline" in attrs or "optnone" in attrs:
                leftovers.append((name, "function with > 5 argument registers not marked "
                                        "alwaysinline (or still noinline/optnone)"))
        for c in mod.calls:
            if c.callee in to_inline and "noinline" in callsite_attr_tokens(mod, c):
                leftovers.append((c.func, f"call of {c.callee} still carries noinline"))
        refusals.extend(leftovers)
    return Analysis(refusals, to_inline, sret, umul, fbin, uitofp, fptoui_sat)


# Types a packed (moved) argument may have, with the alignment used for its slot.
PACK_ALIGN = {"ptr": 8, "i1": 1, "i8": 1, "i16": 2, "i32": 4, "i64": 8, "i128": 16,
              "double": 8, "float": 4}
# Parameter attributes that change how an argument is passed: such arguments are not moved.
PACK_BAD_ATTRS = {"byval", "byref", "inalloca", "preallocated", "swifterror", "swiftself",
                  "swiftasync", "nest", "inreg", "elementtype", "immarg"}
# Parameter/argument attributes that may precede the value of a call argument.
ARG_ATTRS = {"noundef", "noalias", "nonnull", "readonly", "readnone", "writeonly", "zeroext",
             "signext", "noext", "inreg", "returned", "nocapture", "captures", "dereferenceable",
             "dereferenceable_or_null", "range", "nofpclass", "sret", "byval", "byref",
             "dead_on_unwind", "dead_on_return", "writable", "initializes", "immarg",
             "allocalign", "allocptr", "nofree", "noundef", "swiftself", "swifterror",
             "swiftasync", "inalloca", "preallocated", "elementtype", "nest"}


def split_arg(arg: str) -> tuple[str, str]:
    """(type, value) of a call argument `type attrs... value`."""
    toks = tokens_top(arg)
    i = 1
    while i < len(toks) - 1:
        base = toks[i].split("(", 1)[0]
        if base == "align":
            i += 2
            continue
        if base in ARG_ATTRS:
            i += 1
            continue
        break
    return toks[0], " ".join(toks[i:])


def pack_split(f: Function) -> tuple[int, list[str]]:
    """How many leading parameters stay in registers (at most MAX_ARG_REGS - 1 registers, the
    last register carries the pointer to the packed rest), and why packing is impossible."""
    regs = 0
    k = 0
    for p in f.params:
        r = type_regs(param_type(p)) or MAX_ARG_REGS
        if regs + r > MAX_ARG_REGS - 1:
            break
        regs += r
        k += 1
    problems = []
    for p in f.params[k:]:
        toks = tokens_top(p)
        t = toks[0]
        if t not in PACK_ALIGN:
            problems.append(f"parameter of type {t} cannot be packed")
        for a in toks[1:-1]:
            if a.split("(", 1)[0] in PACK_BAD_ATTRS:
                problems.append(f"parameter with attribute {a} cannot be packed")
        if len(toks) < 2 or not toks[-1].startswith("%"):
            problems.append("unnamed parameter")
    return k, problems


_QUOTED_RE = re.compile(r'("(?:[^"\\]|\\.)*")')
_NUMBERED_RE = re.compile(r"%(\d+)\b")


def rename_numbered(line: str) -> str:
    """Give a function's numbered values (%7, block 12:) names, so parameters can be removed
    without breaking LLVM's sequential numbering."""
    parts = _QUOTED_RE.split(line)
    for i in range(0, len(parts), 2):
        parts[i] = _NUMBERED_RE.sub(r"%sbfrw.n\1", parts[i])
    return re.sub(r"^(\d+):", r"sbfrw.n\1:", "".join(parts))


def builtin_signature_problem(mod: Module, name: str) -> str | None:
    """The emitted calls use the C calling convention and BUILTIN_SIGS; verify the definition."""
    f = mod.functions[name]
    line = mod.lines[f.header_idx]
    m = re.match(r"^define\s+(.*?)@" + re.escape(name) + r"\(", line)
    prefix = tokens_top(m.group(1)) if m else []
    ret, params = BUILTIN_SIGS[name]
    for tok in prefix:
        if tok != "ccc" and CALLING_CONVS.match(tok):
            return f"uses calling convention '{tok}'"
    if not prefix or prefix[-1] != ret:
        return f"does not return {ret}"
    got = [param_type(p) for p in f.params]
    if got != params or f.varargs:
        return f"takes ({', '.join(got)}) instead of ({', '.join(params)})"
    return None


# ----------------------------------------------------------------------------------------------
# Attributes
# ----------------------------------------------------------------------------------------------

def _attr_tokens_and_groups(text: str) -> tuple[list[str], list[int]]:
    toks = tokens_top(text)
    groups = [int(t[1:]) for t in toks if re.fullmatch(r"#\d+", t)]
    return [t for t in toks if not re.fullmatch(r"#\d+", t)], groups


def function_attr_tokens(mod: Module, f: Function) -> list[str]:
    line = mod.lines[f.header_idx]
    h = parse_header(line)
    after = line[h[7] + 1:]
    after = after.rsplit("{", 1)[0] if f.is_def else after
    toks, groups = _attr_tokens_and_groups(after)
    for g in groups:
        toks += tokens_top(mod.attr_groups.get(g, ""))
    return toks


def callsite_attr_tokens(mod: Module, c: CallSite) -> list[str]:
    line = mod.lines[c.line_idx]
    tail, _ = strip_metadata_suffix(line[c.args_span[1]:])
    toks, groups = _attr_tokens_and_groups(tail)
    for g in groups:
        toks += tokens_top(mod.attr_groups.get(g, ""))
    return toks


class AttrGroups:
    """Creates derived attribute groups (e.g. #6 without noinline, plus alwaysinline)."""

    def __init__(self, mod: Module):
        self.mod = mod
        self.next = max(mod.attr_groups, default=-1) + 1
        self.cache: dict[tuple, int | None] = {}
        self.new_lines: list[str] = []

    def derive(self, g: int, remove: set[str], add: set[str],
               remove_prefixes: tuple[str, ...] = ()) -> int | None:
        key = (g, frozenset(remove), frozenset(add), remove_prefixes)
        if key in self.cache:
            return self.cache[key]
        toks = tokens_top(self.mod.attr_groups.get(g, ""))

        def drop(t):
            return t in remove or t.startswith(remove_prefixes) if remove_prefixes else t in remove
        if not any(drop(t) for t in toks) and set(add) <= set(toks):
            self.cache[key] = g
            return g
        toks = [t for t in toks if not drop(t)]
        toks += [a for a in sorted(add) if a not in toks]
        if not toks:
            self.cache[key] = None  # nothing left: drop the group reference
            return None
        n = self.next
        self.next += 1
        self.mod.attr_groups[n] = " ".join(toks)
        self.new_lines.append(f"attributes #{n} = {{ {' '.join(toks)} }}")
        self.cache[key] = n
        return n


# ----------------------------------------------------------------------------------------------
# Rewrites
# ----------------------------------------------------------------------------------------------

def parse_float_binop(line: str):
    m = LOCAL_DEF_RE.match(line)
    if not m:
        return None
    body = m.group(2)
    bm = re.match(r"^(fmul|fadd|fsub|fdiv)((?:\s+(?:" + "|".join(FMF) + r"))*)\s+double\s+(.*)$",
                  body)
    if not bm:
        return None
    ops, md = strip_metadata_suffix(bm.group(3))
    parts = split_top(ops)
    if len(parts) != 2 or any(len(tokens_top(p)) != 1 for p in parts):
        return None
    return m.group(1), bm.group(1), parts[0], parts[1], md


def parse_uitofp(line: str):
    m = LOCAL_DEF_RE.match(line)
    if not m:
        return None
    body, md = strip_metadata_suffix(m.group(2))
    bm = re.match(r"^uitofp(?:\s+nneg)?\s+i(\d+)\s+(\S+)\s+to\s+double$", body)
    if not bm:
        return None
    return m.group(1), bm.group(2), int(bm.group(1)), md


def indent_of(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def expand_umul(res: str, a: str, b: str, uid: str, ind: str = "  ") -> list[str]:
    """{i64,i1} umul.with.overflow(a, b) in 32-bit limbs: lo = a*b mod 2^64 (native 64-bit
    multiply); the high word is the schoolbook sum of the four 32x32->64 partial products and
    the product overflowed iff it is non-zero. No step can wrap: every partial product is below
    2^64, the middle column below 2^34, and the high word below 2^64."""
    t = f"%sbfrw.{uid}."
    M = "4294967295"
    return [
        f"{ind}{t}alo = and i64 {a}, {M}",
        f"{ind}{t}ahi = lshr i64 {a}, 32",
        f"{ind}{t}blo = and i64 {b}, {M}",
        f"{ind}{t}bhi = lshr i64 {b}, 32",
        f"{ind}{t}p00 = mul i64 {t}alo, {t}blo",
        f"{ind}{t}p01 = mul i64 {t}alo, {t}bhi",
        f"{ind}{t}p10 = mul i64 {t}ahi, {t}blo",
        f"{ind}{t}p11 = mul i64 {t}ahi, {t}bhi",
        f"{ind}{t}p00h = lshr i64 {t}p00, 32",
        f"{ind}{t}p01l = and i64 {t}p01, {M}",
        f"{ind}{t}p10l = and i64 {t}p10, {M}",
        f"{ind}{t}mid0 = add i64 {t}p00h, {t}p01l",
        f"{ind}{t}mid = add i64 {t}mid0, {t}p10l",
        f"{ind}{t}p01h = lshr i64 {t}p01, 32",
        f"{ind}{t}p10h = lshr i64 {t}p10, 32",
        f"{ind}{t}midh = lshr i64 {t}mid, 32",
        f"{ind}{t}hi0 = add i64 {t}p11, {t}p01h",
        f"{ind}{t}hi1 = add i64 {t}hi0, {t}p10h",
        f"{ind}{t}hi = add i64 {t}hi1, {t}midh",
        f"{ind}{t}lo = mul i64 {a}, {b}",
        f"{ind}{t}ov = icmp ne i64 {t}hi, 0",
        f"{ind}{t}agg = insertvalue {{ i64, i1 }} poison, i64 {t}lo, 0",
        f"{ind}{res} = insertvalue {{ i64, i1 }} {t}agg, i1 {t}ov, 1",
    ]


@dataclass
class Report:
    sret: int = 0
    packed: int = 0
    packed_calls: int = 0
    inlined: int = 0
    callsite_noinline: int = 0
    umul: int = 0
    fbin: int = 0
    uitofp: int = 0
    fptoui_sat: int = 0

    def __str__(self):
        many = (f">{MAX_ARG_REGS}-register functions packed: {self.packed} "
                f"({self.packed_calls} calls)" if self.packed or not self.inlined else
                f">{MAX_ARG_REGS}-register functions marked alwaysinline: {self.inlined} "
                f"(call-site noinline dropped: {self.callsite_noinline})")
        return (f"sret dropped: {self.sret}; {many}; umul.with.overflow.i64 expanded: {self.umul}; "
                f"f64 ops -> calls: {self.fbin}; uitofp -> __floatundidf: {self.uitofp}; "
                f"fptoui.sat -> __fixunsdfdi: {self.fptoui_sat}")


def _group_ref(n: int | None) -> str:
    return "" if n is None else f"#{n}"


def entry_point(lines: list[str], f: Function) -> tuple[str, int]:
    """Where instructions go at the start of f's entry block: ("after", label line) or
    ("before", first instruction line)."""
    k = f.header_idx + 1
    s = lines[k].strip()
    if re.match(r'^(?:[-a-zA-Z$._0-9]+|"(?:[^"\\]|\\.)*"):(\s*;.*)?$', s):
        return "after", k
    return "before", k


def pack_many_args(mod: Module, an: Analysis, groups: AttrGroups, entry_before: dict,
                   before: dict, after: dict, rep: Report) -> None:
    """Functions taking more than MAX_ARG_REGS registers keep their leading parameters and get
    the rest through a pointer to a struct the caller builds in its own frame (what a C
    compiler does with stack arguments, done in IR because the BPF backend cannot)."""
    lines = mod.lines

    def add(where: dict, k: int, new: list[str]):
        where.setdefault(k, []).extend(new)

    def entry_add(f: Function, new: list[str]):
        # entry_before is emitted ahead of before[k], so a call on the entry block's first line
        # still comes after the allocas.
        side, k = entry_point(lines, f)
        add(after if side == "after" else entry_before, k, new)

    mem_prefix = ("memory(",)
    split = {}
    for name in sorted(an.to_inline):
        f = mod.functions[name]
        k, problems = pack_split(f)
        assert not problems
        for i in range(f.header_idx, f.end_idx):
            lines[i] = rename_numbered(lines[i])
        line = lines[f.header_idx]
        h = parse_header(line)
        params = h[2]
        moved = params[k:]
        types = [param_type(p) for p in moved]
        struct = "{ " + ", ".join(types) + " }"
        split[name] = (k, types, struct)
        new_params = params[:k] + ["ptr noalias noundef nonnull readonly align 16 captures(none) "
                                   "%sbfrw.args"]
        head = line[:h[6] + 1] + ", ".join(new_params) + ")"
        tail = line[h[7] + 1:]
        # The body now reads memory through %sbfrw.args: drop memory(...) effects and
        # speculatable, which could forbid that.
        tail = re.sub(r"#(\d+)", lambda m: _group_ref(groups.derive(
            int(m.group(1)), {"speculatable"}, set(), mem_prefix)), tail)
        tail = re.sub(r"(?<![\w\"])(memory\([^)]*\)|speculatable)", "", tail)
        lines[f.header_idx] = head + re.sub(r"  +", " ", tail)
        loads = []
        for j, (p, t) in enumerate(zip(moved, types)):
            nm = tokens_top(p)[-1]
            loads.append(f"  %sbfrw.args.{j} = getelementptr inbounds {struct}, ptr %sbfrw.args, "
                         f"i32 0, i32 {j}")
            loads.append(f"  {nm} = load {t}, ptr %sbfrw.args.{j}, align {PACK_ALIGN[t]}")
        entry_add(f, loads)
        rep.packed += 1

    cid = 0
    callers: set[str] = set()
    for c in mod.calls:
        if c.callee not in split:
            continue
        k, types, struct = split[c.callee]
        line = lines[c.line_idx]
        # `tail` promises that the callee touches no alloca of the caller; it now does.
        line = re.sub(r"^(\s*(?:%\S+\s*=\s*)?)tail\s+call\b", r"\1call", line)
        pc = parse_call(line)
        kind, callee, span, args, (a0, a1) = pc
        assert callee == c.callee and kind == "call"
        slot = f"%sbfrw.c{cid}"
        cid += 1
        pre = []
        for j, (arg, t) in enumerate(zip(args[k:], types)):
            at, val = split_arg(arg)
            assert at == t, (at, t)
            pre.append(f"  {slot}.{j} = getelementptr inbounds {struct}, ptr {slot}, i32 0, "
                       f"i32 {j}")
            pre.append(f"  store {t} {val}, ptr {slot}.{j}, align {PACK_ALIGN[t]}")
        tail = line[a1:]
        attrs, md = strip_metadata_suffix(tail)
        attrs = re.sub(r"#(\d+)", lambda m: _group_ref(groups.derive(
            int(m.group(1)), set(), set(), mem_prefix)), attrs)
        attrs = re.sub(r"(?<![\w\"])memory\([^)]*\)", "", attrs)
        attrs = re.sub(r"\s+", " ", attrs).strip()
        lines[c.line_idx] = (line[:a0] + "(" + ", ".join(args[:k] + [f"ptr {slot}"]) + ")"
                             + (" " + attrs if attrs else "") + md)
        add(before, c.line_idx, pre)
        entry_add(mod.functions[c.func], [f"  {slot} = alloca {struct}, align 16"])
        callers.add(c.func)
        rep.packed_calls += 1

    # Callers now write an alloca that the callee reads; drop their memory(...) effects too
    # (a pure weakening) rather than rely on the alloca counting as not escaping.
    for name in sorted(callers - set(split)):
        f = mod.functions[name]
        line = lines[f.header_idx]
        h = parse_header(line)
        tail = line[h[7] + 1:]
        tail = re.sub(r"#(\d+)", lambda m: _group_ref(groups.derive(
            int(m.group(1)), {"speculatable"}, set(), mem_prefix)), tail)
        tail = re.sub(r"(?<![\w\"])(memory\([^)]*\)|speculatable)", "", tail)
        lines[f.header_idx] = line[:h[7] + 1] + re.sub(r"  +", " ", tail)


def rewrite(text: str, exports: set[str], mode: str = "pack") -> tuple[str, Report]:
    if mode not in ("pack", "inline"):
        raise ValueError(mode)
    mod = Module(text)
    an = analyse(mod, exports, mode=mode)
    if an.refusals:
        raise Refused("\n".join(f"{fn}: {what}" for fn, what in an.refusals))
    rep = Report()
    lines = mod.lines
    groups = AttrGroups(mod)
    replace: dict[int, list[str]] = {}
    entry_before: dict[int, list[str]] = {}
    before: dict[int, list[str]] = {}
    after: dict[int, list[str]] = {}

    if mode == "pack":
        pack_many_args(mod, an, groups, entry_before, before, after, rep)
    # mode inline: >5-register functions become alwaysinline, drop noinline/optnone.
    for name in sorted(an.to_inline) if mode == "inline" else ():
        f = mod.functions[name]
        line = lines[f.header_idx]
        h = parse_header(line)
        head, hdr_tail = line[:h[7] + 1], line[h[7] + 1:]
        pre, brace = hdr_tail.rsplit("{", 1)
        toks, gs = _attr_tokens_and_groups(pre)
        new_pre = pre
        for kw in ("noinline", "optnone"):
            new_pre = re.sub(r"(?<![\w\"])" + kw + r"(?![\w\"])", "", new_pre)
        if gs:
            new_pre = re.sub(r"#(\d+)", lambda m: _group_ref(groups.derive(
                int(m.group(1)), {"noinline", "optnone"}, {"alwaysinline"})), new_pre, count=1)
        else:
            new_pre = new_pre.rstrip() + " alwaysinline "
        new_pre = re.sub(r"  +", " ", new_pre)
        if not new_pre.endswith(" "):
            new_pre += " "
        lines[f.header_idx] = head + new_pre + "{" + brace
        rep.inlined += 1
    for c in mod.calls:
        if mode != "inline" or c.callee not in an.to_inline:
            continue
        line = lines[c.line_idx]
        tail = line[c.args_span[1]:]
        attrs, md = strip_metadata_suffix(tail)
        toks, gs = _attr_tokens_and_groups(attrs)
        g_has = any("noinline" in tokens_top(mod.attr_groups.get(g, "")) for g in gs)
        if "noinline" in toks or g_has:
            attrs = re.sub(r"(?<![\w\"])noinline(?![\w\"])", "", attrs)
            attrs = re.sub(r"#(\d+)", lambda m: _group_ref(groups.derive(
                int(m.group(1)), {"noinline"}, set())), attrs)
            attrs = re.sub(r"\s+", " ", attrs).strip()
            lines[c.line_idx] = line[:c.args_span[1]] + (" " + attrs if attrs else "") + md
            rep.callsite_noinline += 1

    # Instruction rewrites.
    uid = 0
    for k in an.umul:
        line = lines[k]
        pc = parse_call(line)
        res = LOCAL_DEF_RE.match(line).group(1)
        a, b = (split_arg(x)[1] for x in pc[3])
        replace[k] = expand_umul(res, a, b, str(uid), indent_of(line))
        uid += 1
        rep.umul += 1
    for k in an.fbin:
        res, op, a, b, md = parse_float_binop(lines[k])
        replace[k] = [f"{indent_of(lines[k])}{res} = call double @{FLOAT_BINOPS[op]}"
                      f"(double {a}, double {b}){md}"]
        rep.fbin += 1
    for k in an.uitofp:
        res, val, width, md = parse_uitofp(lines[k])
        ind = indent_of(lines[k])
        if width < 64:
            z = f"%sbfrw.{uid}.zext"
            uid += 1
            replace[k] = [f"{ind}{z} = zext i{width} {val} to i64",
                          f"{ind}{res} = call double @__floatundidf(i64 {z}){md}"]
        else:
            replace[k] = [f"{ind}{res} = call double @__floatundidf(i64 {val}){md}"]
        rep.uitofp += 1
    for k in an.fptoui_sat:
        lines[k] = lines[k].replace("@llvm.fptoui.sat.i64.f64(", "@__fixunsdfdi(", 1)
        rep.fptoui_sat += 1

    out: list[str] = []
    for k, line in enumerate(lines):
        out.extend(entry_before.get(k, ()))
        out.extend(before.get(k, ()))
        if k in replace:
            out.extend(replace[k])
        else:
            if "sret(" in line and not line.startswith("@") and not line.startswith("!"):
                line, n = strip_sret(line)
                rep.sret += n
            out.append(line)
        out.extend(after.get(k, ()))
    while out and out[-1] == "":
        out.pop()
    out.extend(groups.new_lines)
    new_text = "\n".join(out) + "\n"

    # Re-analyse the result: nothing we rewrite or refuse may remain.
    mod2 = Module(new_text)
    an2 = analyse(mod2, exports, after_rewrite=True, mode=mode)
    if an2.refusals:
        raise Refused("internal error, rewritten IR still has constructs the BPF backend "
                      "rejects:\n" + "\n".join(f"{fn}: {what}" for fn, what in an2.refusals))
    if mode == "inline" and an2.to_inline != an.to_inline:
        raise Refused("internal error: set of >5-register functions changed by the rewrite")
    return new_text, rep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input")
    ap.add_argument("-o", "--output")
    ap.add_argument("--export", default=",".join(DEFAULT_EXPORTS),
                    help="comma-separated symbols the final link exports (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="analyse only: exit 0 if the IR needs no rewrite, 2 otherwise")
    ap.add_argument("--many-args", choices=("pack", "inline"), default="pack",
                    help="functions with more than 5 argument registers: pack the trailing "
                         "arguments into a struct passed by pointer (default), or mark the "
                         "functions alwaysinline (can overflow the 4 KiB frame / branch range)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    exports = {s for s in args.export.split(",") if s}
    with open(args.input, encoding="utf-8") as fh:
        text = fh.read()
    try:
        if args.check:
            mod = Module(text)
            an = analyse(mod, exports, after_rewrite=True, mode=args.many_args)
            for fn, what in an.refusals:
                print(f"rewrite_ir: {fn}: {what}", file=sys.stderr)
            return 2 if an.refusals else 0
        new_text, rep = rewrite(text, exports, args.many_args)
    except Refused as e:
        print("rewrite_ir: REFUSED: the IR contains constructs this rewrite cannot make safe "
              "for the BPF backend:", file=sys.stderr)
        for ln in str(e).splitlines():
            print(f"rewrite_ir:   {ln}", file=sys.stderr)
        return 2
    if not args.output:
        ap.error("-o OUTPUT is required unless --check")
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(new_text)
    if not args.quiet:
        print(f"rewrite_ir: {rep}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

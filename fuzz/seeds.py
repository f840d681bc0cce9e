#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/corpus/<target>/seed-*, a handful of valid inputs
per target in each target's input format (see fuzz/README.md). Deterministic: re-running it
rewrites the same files. `python3 fuzz/seeds.py`"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
U64_MAX = 2**64 - 1


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "seed-" + name), "wb") as f:
        f.write(data)


# --- attestation: mode | signer | program | campaign | submission | registered_at | views | expiry | tail
DOMAIN = b"clipstake:claim1"
SIGNER = bytes(range(1, 33))
PROGRAM = bytes([0x0C] * 32)
CAMPAIGN = bytes([0xCA] * 32)
SUBMISSION = bytes([0x5B] * 32)
FIELDS = struct.pack("<qQq", 1_795_000_000, 150_000, 1_795_086_400)


def head(mode):
    return bytes([mode]) + SIGNER + PROGRAM + CAMPAIGN + SUBMISSION + FIELDS


def ed25519_data(message, signature, signer):
    """new_ed25519_instruction_with_signature's layout: count, padding, 7 offsets, key, sig, msg."""
    offsets = struct.pack("<7H", 48, 0xFFFF, 16, 0xFFFF, 112, len(message), 0xFFFF)
    return bytes([1, 0]) + offsets + signer + signature + message


MESSAGE = DOMAIN + PROGRAM + CAMPAIGN + SUBMISSION + FIELDS
SIGNATURE = bytes([0x77] * 64)
write("attestation", "standard", head(0) + ed25519_data(MESSAGE, SIGNATURE, SIGNER))
write("attestation", "wrong-signer", head(0) + ed25519_data(MESSAGE, SIGNATURE, bytes(32)))
write("attestation", "short", head(0) + ed25519_data(MESSAGE, SIGNATURE, SIGNER)[:-1])
other = b"not a claim"
write("attestation", "other-message",
      head(1) + struct.pack("<H", len(other)) + other + ed25519_data(other, SIGNATURE, SIGNER))
write("attestation", "empty-message", head(1) + struct.pack("<H", 0) + ed25519_data(b"", SIGNATURE, SIGNER))
for op, at in [(0, 20), (0, 60), (0, 130), (0, 4), (1, 100), (2, 0), (3, 120), (4, 7)]:
    write("attestation", f"mutate-op{op}-at{at}", head(2) + SIGNATURE + struct.pack("<HBB", at, 0x01, op))

# --- money_math: views_before | views_now | rate | cap | gross | total | fee_bps | commission_bps
def money(before, now, rate, cap, gross, total, fee, commission):
    return struct.pack("<6Q2H", before, now, rate, cap, gross, total, fee, commission)


write("money_math", "typical", money(120_000, 150_000, 2_500_000, 400_000_000, 1_000_001, 10**9, 250, 1_000))
write("money_math", "max", money(U64_MAX - 1, U64_MAX, U64_MAX, U64_MAX, U64_MAX, U64_MAX, 10_000, 0))
write("money_math", "dust", money(0, 999, 1, U64_MAX, 9_999, 0, 1, 1))
write("money_math", "capped", money(999_000, 1_000_000, 5_000, 1_000_000, 77, 5, 6_000, 4_000))
write("money_math", "over-100pct", money(10, 10, 3_000, 7, 100, 1, 6_000, 4_001))
write("money_math", "bps-out-of-range", money(5, 2, 0, 0, 1, U64_MAX, 10_001, 65_535))

# --- mint_policy: epoch (u64) | mint account bytes
def base_mint(decimals=6, freeze=False, mint_authority=True):
    data = bytearray(82)
    if mint_authority:
        data[0:4] = struct.pack("<I", 1)
        data[4:36] = bytes([0xA1] * 32)
    data[36:44] = struct.pack("<Q", 10**12)
    data[44] = decimals
    data[45] = 1
    if freeze:
        data[46:50] = struct.pack("<I", 1)
        data[50:82] = bytes([0xF5] * 32)
    return bytes(data)


def extended(extensions, **kw):
    data = bytearray(base_mint(**kw))
    data += bytes(165 - len(data))
    data.append(1)  # account type: mint
    for kind, value in extensions:
        data += struct.pack("<HH", kind, len(value)) + value
    return bytes(data)


def transfer_fee(config_authority, newer_epoch):
    value = bytearray(108)
    if config_authority:
        value[0:32] = bytes([9] * 32)
    value[32:64] = bytes([3] * 32)
    value[90:98] = struct.pack("<Q", newer_epoch)
    return bytes(value)


epoch = struct.pack("<Q", 700)
write("mint_policy", "spl-plain", epoch + base_mint())
write("mint_policy", "spl-freeze", epoch + base_mint(freeze=True))
write("mint_policy", "t22-metadata-pointer", epoch + extended([(18, bytes(64))]))
write("mint_policy", "t22-fee-fixed", epoch + extended([(1, transfer_fee(False, 3))]))
write("mint_policy", "t22-fee-pending", epoch + extended([(1, transfer_fee(False, 701))]))
write("mint_policy", "t22-close-authority", epoch + extended([(3, bytes([5] * 32))]))
write("mint_policy", "t22-hook-unset-and-pausable", epoch + extended([(14, bytes(64)), (26, bytes(33))]))
write("mint_policy", "t22-terminator", epoch + extended([(10, bytes(52)), (0, b""), (9, b"")]))

# --- reports: selector (bit 0: 0 JSON Lines, 1 CSV) | text
JSONL = b"""{"platform":"youtube","video":"https://youtu.be/abc","creator":"Cre8tor111","views":120000,"observed_at":1795000000,"source":"api"}
{"video_id":"v2","view_count":"150000","observed_at":"2026-11-23T10:00:00Z"}
# a comment
{"url":"v3","cumulative_views":5,"observed_at":"2026-11-23 10:00:00.250+00:00"}
not json
{"video":"v4","views":-5,"observed_at":1000}
"""
CSV = b"""platform,video,creator,views,observed_at,source
youtube,https://youtu.be/abc,,120000,1795000000,api
tiktok,v2,Cre8tor111,150000,2026-11-23T10:00:00Z,scraper
yt,v3,100
"""
write("reports", "jsonl", b"\x00" + JSONL)
write("reports", "csv", b"\x01" + CSV)
write("reports", "csv-reordered-header", b"\x03" + b"Observed_At , URL,view_count\n1000,v1,5\n1001,v1,6\n")
write("reports", "jsonl-history", b"\x02" + b"".join(
    b'{"video":"v","views":%d,"observed_at":%d}\n' % (v, t)
    for v, t in [(1000, 2_000_000), (5000, 2_003_600), (9000, 2_007_200), (10**9, 2_007_201)]))
write("reports", "times", b"\x00" + b"1795000000\n-1\n2026-11-23T10:00:00Z\n2026-02-28 23:59:60.5+00:00\n1970-01-01T00:00:00Z\n")

# --- webhook: key (24) | skew (i16 LE) | mutation (u16 LE) | id \0 timestamp \0 signature \0 body
import base64
import hashlib
import hmac

KEY = bytes(range(24))
NOW = 1_795_000_000


def signed(msg_id, timestamp, body):
    tag = hmac.new(KEY, b"%s.%d.%s" % (msg_id, timestamp, body), hashlib.sha256).digest()
    return b"v1," + base64.b64encode(tag)


BODY = b'{"video":"youtube:dQw4w9WgXcQ","views":1200,"observed_at":1795000000}\n'
for name, skew, ts, sig in [
    ("genuine", 0, NOW, signed(b"msg_1", NOW, BODY)),
    ("rotated", -299, NOW - 10, b"v1,AAAA " + signed(b"msg_1", NOW - 10, BODY)),
    ("stale", 301, NOW - 301, signed(b"msg_1", NOW - 301, BODY)),
    ("unsigned", 0, NOW, b""),
]:
    write("webhook", name, KEY + struct.pack("<hH", skew, 7) + b"msg_1\x00%d\x00" % ts + sig + b"\x00" + BODY)

# --- video_urls: the text a creator or a report gives as the video
for name, url in [
    ("youtube-watch", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s"),
    ("youtube-short", "https://youtube.com/shorts/dQw4w9WgXcQ?feature=share"),
    ("youtu-be", "youtu.be/dQw4w9WgXcQ"),
    ("youtube-canonical", "youtube:dQw4w9WgXcQ"),
    ("tiktok", "https://www.tiktok.com/@maker/video/7301234567890123456?lang=en"),
    ("tiktok-short", "https://vm.tiktok.com/ZMabc123/"),
    ("instagram-reel", "https://www.instagram.com/maker/reel/C1a2B3c4D5e/"),
    ("x-status", "https://x.com/maker/status/1790000000000000001"),
    ("x-web", "https://twitter.com/i/web/status/01790000000000000001"),
    ("look-alike", "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ"),
]:
    write("video_urls", name, url.encode())

#!/usr/bin/env python3
"""An independent verifier of Samverkan's public record.

Verifies an export written by `samverkan verify --export FILE` (JSON Lines:
one object per event, in log order, then one per checkpoint) without any
Samverkan code: it recomputes every event's digest from its canonical
fields, the hash chain from the genesis, and checks every checkpoint's
Ed25519 signature and link. Only the standard library and the
`cryptography` package (pip install cryptography).

    verify_chain.py EXPORT.jsonl [--public-key HEX ...] [--checkpoint FILE ...]

`--checkpoint FILE` (repeatable) holds the log to published copies of its
checkpoints as well: the `"kind": "checkpoint"` lines of FILE (an earlier
export, or just its checkpoint lines kept by someone else), the same files
`samverkan verify --checkpoint` takes. A log rewritten and re-linked with
its own checkpoints deleted verifies alone but fails against such a copy
with `checkpoint mismatch` at the copy's position.

Exit status 0: the chain and the checkpoints verify. 1: the first broken
link is printed as `broken: position P: KIND: ...` (KIND one of hash
mismatch, missing position, order, checkpoint mismatch, bad signature,
unknown key, checkpoint beyond head). 2: a file cannot be read.

The encoding (docs/eventstore.md, "Tamper evidence"):

    digest  = SHA-256("SVKE-EVENT-1" || u64 position || str stream || u64 version
              || 16-byte id || str type || u32 schema version || bytes body
              || opt str actor || opt str actor role || opt uuid causation id
              || opt uuid correlation id || opt str trace id
              || opt str command fingerprint || i64 recorded at (µs))
    link(0) = 32 zero bytes;  link(n) = SHA-256(link(n-1) || digest(n))
    signed  = "SVKE-CHECKPOINT-1" || u64 position || link || i64 signed at (µs)

Integers big-endian; str/bytes = u32 length + bytes (UTF-8); opt = 0x00, or
0x01 followed by the value.
"""

import argparse
import hashlib
import json
import struct
import sys
import uuid

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = bytes(32)


def put_bytes(out, b):
    out += struct.pack(">I", len(b))
    out += b


def put_opt_str(out, s):
    if s is None:
        out.append(0)
    else:
        out.append(1)
        put_bytes(out, s.encode("utf-8"))


def put_opt_uuid(out, u):
    if u is None:
        out.append(0)
    else:
        out.append(1)
        out += uuid.UUID(u).bytes


def encode(e):
    out = bytearray(b"SVKE-EVENT-1")
    out += struct.pack(">Q", e["position"])
    put_bytes(out, e["stream"].encode("utf-8"))
    out += struct.pack(">Q", e["version"])
    out += uuid.UUID(e["id"]).bytes
    put_bytes(out, e["type"].encode("utf-8"))
    out += struct.pack(">I", e["schema_version"])
    put_bytes(out, bytes.fromhex(e["data_hex"]))
    put_opt_str(out, e.get("actor"))
    put_opt_str(out, e.get("actor_role"))
    put_opt_uuid(out, e.get("causation_id"))
    put_opt_uuid(out, e.get("correlation_id"))
    put_opt_str(out, e.get("trace_id"))
    put_opt_str(out, e.get("command_fingerprint"))
    out += struct.pack(">q", e["recorded_at_micros"])
    return bytes(out)


def digest(e):
    return hashlib.sha256(encode(e)).digest()


def link(prev, d):
    return hashlib.sha256(prev + d).digest()


def checkpoint_message(cp):
    return (
        b"SVKE-CHECKPOINT-1"
        + struct.pack(">Q", cp["position"])
        + bytes.fromhex(cp["link"])
        + struct.pack(">q", cp["signed_at_micros"])
    )


def signature_valid(cp):
    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(cp["public_key"]))
        key.verify(bytes.fromhex(cp["signature"]), checkpoint_message(cp))
        return True
    except (InvalidSignature, ValueError):
        return False


class Broken(Exception):
    def __init__(self, position, kind, detail):
        super().__init__(f"position {position}: {kind}: {detail}")
        self.position = position
        self.kind = kind


def check_checkpoint(cp, trusted):
    if trusted is not None and cp["public_key"].lower() not in trusted:
        raise Broken(cp["position"], "unknown key", f"signed by {cp['public_key']}, which is not trusted")
    if not signature_valid(cp):
        raise Broken(cp["position"], "bad signature", "the checkpoint's signature does not verify")


def verify(events, checkpoints, trusted=None):
    """Returns (events, head position, head link, checkpoints verified); raises Broken."""
    pending = sorted(checkpoints, key=lambda c: c["position"])
    prev_position, prev, last_recorded = 0, GENESIS, None
    streams = {}
    checked, since = 0, 0
    for e in events:
        p = e["position"]
        if p <= prev_position:
            raise Broken(p, "order", f"position {p} comes after position {prev_position}")
        if p != prev_position + 1:
            raise Broken(prev_position + 1, "missing position",
                         f"after position {prev_position} comes position {p}")
        expected = streams.get(e["stream"], -1) + 1
        if e["version"] != expected:
            raise Broken(p, "order", f"version {e['version']} in stream `{e['stream']}`, which is at {expected}")
        if last_recorded is not None and e["recorded_at_micros"] < last_recorded:
            raise Broken(p, "order", "the recorded time is earlier than the event before")
        computed = link(prev, digest(e))
        stored = e.get("link")
        if stored is None or bytes.fromhex(stored) != computed:
            raise Broken(p, "hash mismatch", f"stored {stored}, computed {computed.hex()}")
        while pending and pending[0]["position"] <= p:
            cp = pending.pop(0)
            check_checkpoint(cp, trusted)
            if cp["position"] != p or bytes.fromhex(cp["link"]) != computed:
                raise Broken(cp["position"], "checkpoint mismatch",
                             f"signed {cp['link']} but the chain has {computed.hex()}: an event after "
                             f"position {since} and up to here was changed")
            checked += 1
            since = cp["position"]
        streams[e["stream"]] = e["version"]
        last_recorded = e["recorded_at_micros"]
        prev_position, prev = p, computed
    if pending:
        cp = pending[0]
        check_checkpoint(cp, trusted)
        raise Broken(cp["position"], "checkpoint beyond head",
                     f"a checkpoint names this position but the log ends at {prev_position}")
    return prev_position, prev, checked, since


def read_export(path):
    events, checkpoints = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            obj = json.loads(line)
            kind = obj.get("kind")
            if kind == "event":
                events.append(obj)
            elif kind == "checkpoint":
                checkpoints.append(obj)
            else:
                raise ValueError(f"line {n}: unknown kind {kind!r}")
    return events, checkpoints


CHECKPOINT_FIELDS = ("position", "link", "signed_at_micros", "public_key", "signature")


def checkpoint_key(cp):
    """What makes two checkpoint lines the same checkpoint (hex compared case-insensitively)."""
    return tuple(v.lower() if isinstance(v, str) else v for v in (cp[f] for f in CHECKPOINT_FIELDS))


def read_published(path):
    """The checkpoint lines of a published copy; other lines are skipped."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as e:
                raise ValueError(f"line {n}: not a JSON line ({e})") from e
            if not isinstance(obj, dict) or obj.get("kind") != "checkpoint":
                continue
            for field in CHECKPOINT_FIELDS:
                if field not in obj:
                    raise ValueError(f"line {n}: the checkpoint has no `{field}`")
            if not isinstance(obj["position"], int) or not isinstance(obj["signed_at_micros"], int):
                raise ValueError(f"line {n}: the checkpoint's `position` and `signed_at_micros` must be integers")
            for field in ("link", "public_key", "signature"):
                try:
                    bytes.fromhex(obj[field])
                except (TypeError, ValueError) as e:
                    raise ValueError(f"line {n}: the checkpoint's `{field}` is not hex") from e
            out.append(obj)
    return out


def merge(checkpoints, published):
    """The log's own checkpoints plus the published ones it does not already hold."""
    held = list(checkpoints)
    seen = {checkpoint_key(c) for c in held}
    for cp in published:
        k = checkpoint_key(cp)
        if k not in seen:
            seen.add(k)
            held.append(cp)
    return held


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export", help="the file `samverkan verify --export` wrote")
    parser.add_argument("--public-key", action="append", default=[],
                        help="trust checkpoints signed with this Ed25519 public key (hex); repeatable")
    parser.add_argument("--checkpoint", action="append", default=[], metavar="FILE",
                        help="hold the log to the published checkpoints in FILE (its `\"kind\": \"checkpoint\"` "
                             "lines, as `samverkan verify --checkpoint` takes); repeatable")
    args = parser.parse_args(argv)
    try:
        events, checkpoints = read_export(args.export)
    except (OSError, ValueError, KeyError) as e:
        print(f"error: cannot read {args.export}: {e}", file=sys.stderr)
        return 2
    published = []
    for path in args.checkpoint:
        try:
            published.extend(read_published(path))
        except (OSError, ValueError) as e:
            print(f"error: cannot read the published checkpoints {path}: {e}", file=sys.stderr)
            return 2
    trusted = {k.strip().lower() for k in args.public_key} or None
    if trusted is None:
        print("warning: no --public-key: checkpoints are checked against the key each names", file=sys.stderr)
    try:
        head, last, checked, covered = verify(events, merge(checkpoints, published), trusted)
    except Broken as b:
        print(f"broken: {b}")
        return 1
    except (KeyError, ValueError, TypeError) as e:
        print(f"error: malformed export: {e}", file=sys.stderr)
        return 2
    print(f"verified: {len(events)} events, head at position {head} with link {last.hex()}")
    keys = sorted({c["public_key"] for c in merge(checkpoints, published)})
    print(f"checkpoints: {checked} verified, the last at position {covered}, signed by {', '.join(keys) or 'nobody'}")
    if head > covered:
        print(f"not yet covered by a checkpoint: positions {covered + 1}-{head}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

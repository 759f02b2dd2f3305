"""The CMS MCE release's tables (mce.bin inside the MCE jar) in Python, for the tools that
cut test subsets from it and generate claims over it. The protobuf wire format is decoded
by hand (schema: mce.Root in the release's mce-proto jar; audit/refdata/mce_release.hpp
lists the fields), so no protobuf package is needed.
"""
import zipfile


def varint(data, i):
    shift = value = 0
    while True:
        b = data[i]
        i += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            return value, i
        shift += 7


def fields(data):
    """(field number, wire type, value: bytes or int) of one message, in order."""
    i, out = 0, []
    while i < len(data):
        tag, i = varint(data, i)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            value, i = varint(data, i)
        elif wire == 2:
            n, i = varint(data, i)
            value, i = data[i:i + n], i + n
        else:
            raise ValueError(f"unexpected wire type {wire} in mce.bin")
        out.append((field, wire, value))
    return out


def encode_varint(value):
    out = bytearray()
    while True:
        b = value & 0x7F
        value >>= 7
        out.append(b | (0x80 if value else 0))
        if not value:
            return bytes(out)


def encode(message_fields):
    out = bytearray()
    for field, wire, value in message_fields:
        out += encode_varint(field << 3 | wire)
        if wire == 0:
            out += encode_varint(value)
        else:
            out += encode_varint(len(value)) + value
    return bytes(out)


def read_jar(jar):
    with zipfile.ZipFile(jar) as z:
        return z.read("mce.bin")


def code_rows(data):
    """Yields (procedure, code, start, end, flags) for every ICD-10 code row; dates are
    'YYYYMMDD' strings, end '' when open."""
    for field, _, value in fields(data):
        if field not in (3, 4):
            continue
        for f, _, entry in fields(value):
            if f != 1:
                continue
            code, start, end, flags = "", "", "", []
            for ef, _, ev in fields(entry):
                if ef == 1:
                    code = ev.decode()
                elif ef == 2:
                    start = ev.decode()
                elif ef == 3:
                    end = ev.decode()
                elif ef == 4:
                    flags.append(ev.decode())
            yield field == 4, code, start, end, [f for f in flags if f]


def subset(data, dx, pcs):
    """mce.bin with every age and discharge-status row and every ICD-10 row of the codes in
    dx / pcs (ICD-9 tables dropped: coderaudit edits ICD-10 claims only)."""
    kept = []
    for field, wire, value in fields(data):
        if field in (3, 4):
            keep = dx if field == 3 else pcs
            entries = [(f, w, v) for f, w, v in fields(value)
                       if f == 1 and dict((ff, vv) for ff, _, vv in fields(v)).get(1, b"")
                       .decode() in keep]
            kept.append((field, wire, encode(entries)))
        elif field in (5, 6):
            continue
        else:
            kept.append((field, wire, value))
    return encode(kept)

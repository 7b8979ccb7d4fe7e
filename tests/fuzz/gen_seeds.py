#!/usr/bin/env python3
"""Writes the committed seed corpus of the raw fuzz targets (seeds/<target>/),
the libFuzzer dictionary (zhtext.dict) and the raw reproducers of the
findings (artifacts-found/*_raw), from the texts and options below.

Requests are protobuf-encoded by hand (field numbers from
proto/zhtext/v1/text_service.proto), so no build is needed:

    python3 tests/fuzz/gen_seeds.py
"""

import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def varint(n):
    n &= (1 << 64) - 1  # negative enum values are 10-byte varints
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field_varint(num, value):
    return varint(num << 3) + varint(value) if value else b""


def field_bytes(num, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return varint(num << 3 | 2) + varint(len(data)) + data


def options(conversion=0, pinyin=False, width=False, spaces=False, mojibake=False, invisible=False):
    return (
        field_varint(1, conversion)
        + field_varint(2, int(pinyin))
        + field_varint(3, int(width))
        + field_varint(4, int(spaces))
        + field_varint(5, int(mojibake))
        + field_varint(6, int(invisible))
    )


ALL_REPAIRS = dict(pinyin=True, width=True, spaces=True, mojibake=True, invisible=True)

TEXTS = {
    "plain": "我来到北京清华大学，习近平会见李克强。",
    "traditional": "臺灣的經濟發展(fā zhǎn)與網際網路，滑鼠和軟體。",
    "noisy": "ＴＯＰＣｏｎ１２ＧＷ 江 阴 市\u200b超 50 亿元\ufeff鍙戝睍",
    "entities": "2024年6月28日下午3点，江阴市人民政府发布：全市GDP增长5.2%，"
    "投资超 50 亿元，1.2万美元。电话0510-86801234，网址http://www.jiangyin.gov.cn/，"
    "邮箱a@b.cn。",
    "astral": "a𠮷北京😀b👨\u200d👩e\u0301",
    "keywords": "江阴市经济发展新质生产力，推动高质量发展，建设现代化产业体系。" * 3,
}


def normalize_request(text, opts=b"", encoding=0, alignment=False):
    return field_bytes(1, text) + (field_bytes(2, opts) if opts else b"") + field_varint(3, encoding) + field_varint(4, int(alignment))


def segment_request(text, opts=b"", mode=0, no_hmm=False, encoding=0, dictionary=""):
    return (
        field_bytes(1, text)
        + (field_bytes(2, opts) if opts else b"")
        + field_varint(3, mode)
        + field_varint(4, int(no_hmm))
        + field_varint(5, encoding)
        + (field_bytes(6, dictionary) if dictionary else b"")
    )


def tag_request(text, opts=b"", encoding=0, types=()):
    packed = b"".join(varint(t) for t in types)
    return field_bytes(1, text) + (field_bytes(2, opts) if opts else b"") + field_varint(3, encoding) + (field_bytes(4, packed) if types else b"")


def keywords_request(text, opts=b"", top_k=0, method=0, pos=()):
    return (
        field_bytes(1, text)
        + (field_bytes(2, opts) if opts else b"")
        + field_varint(3, top_k)
        + field_varint(4, method)
        + b"".join(field_bytes(5, p) for p in pos)
    )


SEEDS = {
    "normalize_raw": [
        normalize_request(TEXTS["traditional"], options(conversion=2, pinyin=True), encoding=2, alignment=True),
        normalize_request(TEXTS["noisy"], options(**ALL_REPAIRS), encoding=3, alignment=True),
        normalize_request(TEXTS["plain"], options(conversion=4), alignment=True),
        normalize_request(TEXTS["astral"], options(invisible=True, conversion=1), encoding=2),
        normalize_request(b"\xff\xfe".decode("latin-1")),  # valid: two Latin-1 chars
    ],
    "segment_raw": [
        segment_request(TEXTS["plain"]),
        segment_request(TEXTS["traditional"], options(pinyin=True), mode=2, encoding=2),
        segment_request(TEXTS["noisy"], options(**ALL_REPAIRS, conversion=2), mode=1, no_hmm=True, encoding=3),
        segment_request(TEXTS["entities"], mode=3),
        segment_request(TEXTS["astral"], options(invisible=True), encoding=2),
    ],
    "tag_entities_raw": [
        tag_request(TEXTS["entities"]),
        tag_request(TEXTS["entities"], options(width=True, spaces=True), encoding=2, types=(4, 6, 7, 9, 11)),
        tag_request(TEXTS["traditional"], options(conversion=2, pinyin=True), encoding=3),
        tag_request(TEXTS["noisy"], options(**ALL_REPAIRS), types=(0, 1, 2, 3)),
        tag_request(TEXTS["astral"] + TEXTS["entities"], encoding=2),
    ],
    "extract_keywords_raw": [
        keywords_request(TEXTS["keywords"]),
        keywords_request(TEXTS["keywords"], top_k=5, method=2),
        keywords_request(TEXTS["traditional"] * 2, options(pinyin=True), top_k=10, pos=("n", "ns", "vn")),
        keywords_request(TEXTS["noisy"] + TEXTS["entities"], options(**ALL_REPAIRS, conversion=3), method=1),
    ],
}

# Dictionary words: field tags and enum values, and pieces of text.
DICT_TEXT = [
    "發(fā)展", "(fā zhǎn)", "（", "）", "經濟", "臺灣", "滑鼠", "鼠标", "鍙戝睍", "ＴＯＰ", "１２",
    "\u3000", "\u200b", "\ufeff", "\u00ad", "\u0301", "𠮷", "😀", "\u200d",
    "超 50 亿元", "亿元", "万", "美元", "人民币", "百分之", "%", "个百分点", "平方米",
    "年", "月", "日", "点", "分", "下午", "上午", "至", "—", "二〇二四", "十二", "廿",
    "0510-86801234", "400-820-8820", "13812345678", "http://", "https://", "www.", ".gov.cn",
    "@", ".com", "江阴市", "清华大学", "习近平", "国务院",
]


def escape(data):
    return "".join(chr(b) if 0x20 <= b < 0x7F and b not in (0x22, 0x5C) else "\\x%02x" % b for b in data)


# Raw reproducers of the findings (artifacts-found/, see its README.md).
FINDINGS = {
    # Full mode, > 32 KiB: a line break inside an ASCII run past the 32 KiB
    # chunk boundary ("2024\nGDP" is one cut_all word of the whole text).
    "full-mode-newline-chunk.segment_raw": segment_request("江阴市经济发展，" * 1366 + "2024\nGDP增长5%", mode=2),
    # 225 repetitions of one Han character: one PERSON mention, confidence 0.
    "ner-zero-confidence.tag_entities_raw": tag_request("延" * 225),
}


def main():
    for name, data in FINDINGS.items():
        with open(os.path.join(HERE, "artifacts-found", name), "wb") as f:
            f.write(data)
    for target, seeds in SEEDS.items():
        d = os.path.join(HERE, "seeds", target)
        os.makedirs(d, exist_ok=True)
        for seed in seeds:
            name = hashlib.sha1(seed).hexdigest()
            with open(os.path.join(d, name), "wb") as f:
                f.write(seed)
    lines = ["# libFuzzer dictionary for the zhtext raw targets (written by gen_seeds.py)."]
    for i, word in enumerate(DICT_TEXT):
        lines.append('text_%d="%s"' % (i, escape(word.encode("utf-8"))))
    for num in range(1, 7):
        for wire in (0, 2):
            lines.append('tag_%d_%d="%s"' % (num, wire, escape(varint(num << 3 | wire))))
    lines.append('negative_enum="%s"' % escape(varint(-1)))
    with open(os.path.join(HERE, "zhtext.dict"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden vectors for CleanClip's ClipTokenizer.

An independent re-statement of the CLIP reference tokenizer (OpenAI's simple_tokenizer as used by
CleanCLIP's pkgs/openai/tokenizer.py), written from its specification:
byte-level BPE with `</w>` on the last symbol of each pre-token, html-unescape twice, whitespace
collapse, lowercase, the CLIP pre-tokenization regex (case-insensitive), and special-token literals
mapped to their ids because the reference pre-seeds its BPE cache with them.

ftfy is NOT available here and is stubbed as the identity, exactly like a reference run without ftfy.

Usage: /usr/bin/python3 tools/golden/tokenizer_golden.py PATH/bpe_simple_vocab_16e6.txt.gz [OUT.json]
Needs Debian's python3 with the `regex` module (python3-regex). Writes only strings and ids, never the
vocabulary itself.
"""
import gzip
import hashlib
import html
import json
import os
import sys

import regex

CONTEXT_LENGTH = 77
OPENAI_MERGES = 49152 - 256 - 2  # lines[1 : 49152-256-2+1] of the OpenAI file


def fix_text(text):
    """ftfy.fix_text stand-in: identity (ftfy is not installed; see module docstring)."""
    return text


def byte_alphabet():
    """Byte -> printable unicode char, printable Latin-1 bytes map to themselves, the rest to 256+n."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\u00a1"), ord("\u00ac") + 1)) \
        + list(range(ord("\u00ae"), ord("\u00ff") + 1))
    table = {b: chr(b) for b in keep}
    extra = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + extra)
            extra += 1
    # Vocabulary order is the order above (kept bytes first), not byte order.
    order = keep + [b for b in range(256) if b not in keep]
    return table, [table[b] for b in order]


def adjacent_pairs(symbols):
    return {(symbols[i], symbols[i + 1]) for i in range(len(symbols) - 1)}


PRE_TOKEN = regex.compile(
    r"""<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""",
    regex.IGNORECASE)


def clean(text):
    text = fix_text(text)
    text = html.unescape(html.unescape(text)).strip()
    return regex.sub(r"\s+", " ", text).strip().lower()


class ReferenceTokenizer:
    def __init__(self, vocab_path):
        with gzip.open(vocab_path, "rt", encoding="utf-8") as f:
            lines = f.read().split("\n")
        merges = [tuple(line.split()) for line in lines[1:OPENAI_MERGES + 1]]
        self.byte_to_char, alphabet = byte_alphabet()
        self.char_to_byte = {c: b for b, c in self.byte_to_char.items()}
        vocab = alphabet + [c + "</w>" for c in alphabet] + ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.token_to_id = {t: i for i, t in enumerate(vocab)}
        self.id_to_token = {i: t for t, i in self.token_to_id.items()}
        self.rank = {m: i for i, m in enumerate(merges)}
        self.sot = self.token_to_id["<|startoftext|>"]
        self.eot = self.token_to_id["<|endoftext|>"]
        self.memo = {"<|startoftext|>": "<|startoftext|>", "<|endoftext|>": "<|endoftext|>"}

    def bpe(self, token):
        if token in self.memo:
            return self.memo[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = adjacent_pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            best = min(pairs, key=lambda p: self.rank.get(p, float("inf")))
            if best not in self.rank:
                break
            left, right = best
            merged, i = [], 0
            while i < len(word):
                if i < len(word) - 1 and word[i] == left and word[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(word[i])
                    i += 1
            word = tuple(merged)
            if len(word) == 1:
                break
            pairs = adjacent_pairs(word)
        result = " ".join(word)
        self.memo[token] = result
        return result

    def encode(self, text):
        ids = []
        for piece in PRE_TOKEN.findall(clean(text)):
            chars = "".join(self.byte_to_char[b] for b in piece.encode("utf-8"))
            ids.extend(self.token_to_id[t] for t in self.bpe(chars).split(" "))
        return ids

    def decode(self, ids):
        chars = "".join(self.id_to_token[i] for i in ids)
        data = bytearray(self.char_to_byte[c] for c in chars)
        return data.decode("utf-8", errors="replace").replace("</w>", " ")

    def tokenize(self, text, mode):
        """One row of the N x 77 batch: 'keep_eot' = OpenAI truncate=True, 'reference' = CleanCLIP slicing."""
        tokens = [self.sot] + self.encode(text) + [self.eot]
        if len(tokens) > CONTEXT_LENGTH:
            tokens = tokens[:CONTEXT_LENGTH]
            if mode == "keep_eot":
                tokens[-1] = self.eot
        return tokens + [0] * (CONTEXT_LENGTH - len(tokens))


LONG_CAPTION = ("A large group of people standing on a crowded city street next to tall buildings, "
                "while a red double-decker bus drives past a row of parked bicycles, a street vendor sells "
                "hot dogs and pretzels from a small cart, two police officers on horseback watch the scene, "
                "pigeons gather near a fountain in the middle of the square, and children in bright yellow "
                "raincoats jump into puddles left behind by the morning rain.")

CASES = [
    "a photo of a banana.", "A Photo Of A BANANA!", "Two dogs playing in the snow",
    "A man riding a wave on top of a surfboard.", "a photo of a cf.", "banana banana banana",
    "The quick brown fox jumps over the lazy dog",
    # accents and letters outside ASCII
    "café", "naïve", "Zürich", "Crème brûlée à la carte", "São Paulo façade", "e\u0301cole",
    "STRASSE Stra\u00dfe \u1e9e", "\u0130stanbul", "\u01c5 title case", "\u039f\u0394\u039f\u03a3 \u0391\u0398\u0397\u039d\u0391\u03a3",
    "\u03a3\u0391\u03a3 \u03a3 A\u03a3' \u0391\u03a3\u0345b", "it'\u017f a test", "a\u0345b \u0345",
    # CJK, other scripts, supplementary-plane letters and digits
    "东京塔的夜景", "日本語のテキスト", "한국어 문장입니다", "hello мир 世界 مرحبا שלום",
    "Ελληνικά και English", "हिन्दी भाषा", "ภาษาไทย", "\U0001d407\U0001d41e\U0001d425\U0001d425\U0001d428 \U00020000\U00020001",
    "\U0001d7cf\U0001d7d0 \u0661\u0662\u0663 \u2460\u2461 \u216b",
    # emoji: plain, variation selector, ZWJ sequences, flags, skin tone
    "🍌", "I ❤️ NY", "👨\u200d👩\u200d👧\u200d👦 family", "🇺🇸🇯🇵 flags", "👍🏽 thumbs up", "🏳️\u200d🌈",
    "cat🐱dog🐶!", 
    # digits
    "2023", "3.14", "in 1999, 42 cats", "$1,000,000", "9am-5pm",
    # apostrophes
    "it's", "they'll", "O'Neil", "I'd've", "we're you've I'm don't", "it\u2019s", "IT'S THEY'LL", "rock 'n' roll", "'s'",
    # special-token literals
    "<|startoftext|>", "<|endoftext|>", "a <|endoftext|> b", "<|ENDOFTEXT|>", "<|startoftext|>hello<|endoftext|>",
    "<|\u017ftartoftext|>", "<|endoftext|", "hello</w>world",
    # HTML entities
    "&amp;", "&amp;amp;", "&amp;amp;amp;", "&lt;b&gt;bold&lt;/b&gt;", "&#39;", "&#x27;s", "&eacute;", "caf&eacute",
    "fish &amp chips", "&ampxyz; &notit; &notin;", "&#128; &#0; &#x110000; &#1;x &#xD800;", "a&nbsp;b",
    "&NotEqualTilde; &ThickSpace;", "&#99999999999999999999;", "AT&T", "&; &#; &#x; &#65&#66",
    "&Eacute;COLE", "&amp;#39;", "&#38;amp;",
    # whitespace
    "  leading and trailing  ", "tabs\tand\nnewlines\r\n", "multiple     spaces", "\u00a0nbsp\u00a0",
    "ideographic\u3000space", "\x1cfile sep\x1f", "a\x1cb", "zero\u200bwidth", "\u2028line\u2029sep\x85",
    "\x0bvt\x0cff",
    # empty
    "", "   ", "\n\t",
    # punctuation
    "!!!???...", "--->", "(a)[b]{c}", "@#$%^&*", "\"quoted\"", "a.b.c", "hello,world", "~`|\\/",
    # case, URLs, long words
    "HELLO WORLD", "https://www.example.com/path?query=1&x=2#frag", "email@example.com",
    "pneumonoultramicroscopicsilicovolcanoconiosis", "supercalifragilisticexpialidocious", "aaaaaaaaaaaaaaaaaaaa",
    "hahahahahaha",
    # long captions: > 77 tokens, and the 75/76-token boundary
    LONG_CAPTION,
    LONG_CAPTION.upper(),
    " ".join(str(n) for n in range(1, 60)),
    "🍌" * 40,
    "!" * 300,
    "a " * 75,
    "a " * 76,
    "word " * 200,
]

# Id sequences that are not whole characters: decode must replace broken UTF-8 exactly like Python.
DECODE_CASES = [[2011], [2011, 234], [234, 2011], [49406, 320, 49407], [0, 1, 2], [188, 189, 190, 500, 511],
                [127, 128, 129, 130, 131], [320, 2011, 321], [49407, 49406]]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    vocab_path = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.join(
        here, "..", "..", "tests", "CleanClip.Tests", "Fixtures", "tokenizer_golden.json")
    tok = ReferenceTokenizer(vocab_path)
    with open(vocab_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    cases = []
    for text in CASES:
        ids = tok.encode(text)
        case = {"text": text, "ids": ids, "decoded": tok.decode(ids)}
        if len(ids) + 2 > CONTEXT_LENGTH:
            case["keep_eot"] = tok.tokenize(text, "keep_eot")
            case["reference"] = tok.tokenize(text, "reference")
        cases.append(case)
    decodes = [{"ids": ids, "decoded": tok.decode(ids)} for ids in DECODE_CASES]
    doc = {
        "about": "CLIP BPE golden vectors from tools/golden/tokenizer_golden.py (ftfy stubbed as identity)",
        "vocab_sha256": sha, "vocab_size": len(tok.token_to_id), "sot": tok.sot, "eot": tok.eot,
        "context_length": CONTEXT_LENGTH, "cases": cases, "decode_only": decodes,
    }
    with open(out, "w", encoding="ascii") as f:
        json.dump(doc, f, ensure_ascii=True, indent=1)
        f.write("\n")
    longs = sum("keep_eot" in c for c in cases)
    sys.stderr.write(f"{len(cases)} cases ({longs} longer than {CONTEXT_LENGTH}) -> {out}\n")


if __name__ == "__main__":
    main()

"""A synthetic archive of realistic size, built from the seed pages' own sentences and headlines.

Pages look like the OCR the reader gets: 4 pages a day named ``YYYY-MM-DD_NN.txt``, a masthead on
page 1, hard-wrapped columns (14-18 characters) with column breaks in mid-word on some pages and
long unwrapped paragraphs on others, headlines before or after their stories, bylines, continuation
notes. About 6,200 characters a page, so one year is about 9 M characters.

    python benchmarks/synthetic.py OUT_DIR --years 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leshan_reader.ingest.decode import decode_bytes  # noqa: E402
from leshan_reader.ingest.reflow import BODY, LINE, reflow  # noqa: E402

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
PAGE_CHARS = 6200
_SENTENCE = re.compile(r"[^。！？]+[。！？]+[”’」』）)]*")


def seed_material() -> tuple[list[str], list[str]]:
    sentences, headlines = [], []
    for path in sorted(SEEDS.glob("*.txt")):
        for paragraph in reflow(decode_bytes(path.read_bytes()).text):
            if paragraph.kind == BODY:
                sentences += [s for s in _SENTENCE.findall(paragraph.text) if len(s) > 8]
            elif paragraph.kind == LINE and 6 <= len(paragraph.text) <= 30:
                headlines.append(paragraph.text)
    return sentences, headlines


def wrap(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


def make_page(rng: random.Random, sentences, headlines, date: dt.date, number: int) -> str:
    out: list[str] = []
    if number == 1:
        out += ["乐山日报", "LESHAN DAILY", f"{date.year}年{date.month}月{date.day}日",
                "星期" + "一二三四五六日"[date.weekday()], "今日4版", f"总第{10000 + date.toordinal() % 9000}期"]
    wrapped_page = rng.random() < 0.6
    width = rng.randint(14, 18)
    size = sum(len(x) for x in out)
    while size < PAGE_CHARS:
        headline = rng.choice(headlines)
        story: list[str] = []
        for _ in range(rng.randint(3, 8)):
            paragraph = "".join(rng.choice(sentences) for _ in range(rng.randint(2, 5)))
            story.append(paragraph)
        story[0] = f"本报讯（记者 {rng.choice('张王李赵刘陈杨')}{rng.choice('清倩文启国乐')}）" + story[0]
        if rng.random() < 0.1:
            story[-1] += f"（下转第{rng.randint(2, 4)}版）"
        blocks: list[str] = []
        for paragraph in story:
            if wrapped_page:
                lines = wrap(paragraph, width)
                if len(lines) > 4 and rng.random() < 0.2:  # a column break inside the paragraph
                    cut = rng.randrange(1, len(lines) - 1)
                    blocks.append("\n".join(lines[:cut]))
                    blocks.append("\n".join(lines[cut:]))
                else:
                    blocks.append("\n".join(lines))
            else:
                blocks.append(paragraph)
        if rng.random() < 0.5:  # the 2022 layout: headline after its story
            out += blocks + [headline]
        else:
            out += [headline] + blocks
        size += sum(len(b) for b in blocks) + len(headline)
    return "\n\n".join(out) + "\n"


def generate(out_dir: Path, years: int, *, start: dt.date = dt.date(2001, 1, 1), seed: int = 7) -> tuple[int, int]:
    """Write the archive; returns (files, characters)."""
    rng = random.Random(seed)
    sentences, headlines = seed_material()
    out_dir.mkdir(parents=True, exist_ok=True)
    files = chars = 0
    day = start
    end = dt.date(start.year + years, start.month, start.day)
    while day < end:
        folder = out_dir / str(day.year)
        folder.mkdir(exist_ok=True)
        for number in range(1, 5):
            text = make_page(rng, sentences, headlines, day, number)
            (folder / f"{day.isoformat()}_{number:02d}.txt").write_text(text, encoding="utf-8")
            files += 1
            chars += len(text)
        day += dt.timedelta(days=1)
    return files, chars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--years", type=int, default=1)
    args = parser.parse_args()
    files, chars = generate(args.out_dir, args.years)
    print(f"{files} pages, {chars / 1e6:.1f} M characters in {args.out_dir}")


if __name__ == "__main__":
    main()

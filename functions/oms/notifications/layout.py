"""The few shapes an email body is made of, each rendered once as plain text and once as escaped HTML."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Rendering every value through these two functions is what keeps a template from forgetting to
# escape one: the catalogue never writes markup itself.


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Items:
    heading: str
    rows: tuple[tuple[str, str, int], ...]  # (sku, name, quantity)
    with_sku: bool = False  # partners pick by SKU; customers know the product's name


@dataclass(frozen=True)
class Facts:
    rows: tuple[tuple[str, str | None], ...]  # (label, value); rows without a value are left out


@dataclass(frozen=True)
class Address:
    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    label: str
    url: str | None  # no URL, no block


Block = Para | Items | Facts | Address | Link

_STYLE = "font-family: Arial, sans-serif; line-height: 1.5; color: #222;"


def _item(sku: str, name: str, quantity: int, with_sku: bool) -> str:
    return f"{quantity} × {sku}  {name}" if with_sku else f"{quantity} × {name}"


def _is_web_link(url: str) -> bool:
    # Partners may send their own tracking URL: only http(s) becomes a clickable link.
    return url.lower().startswith(("https://", "http://"))


def text(blocks: Sequence[Block]) -> str:
    parts: list[str] = []
    for block in blocks:
        match block:
            case Para(body):
                parts.append(body)
            case Items(heading, rows, with_sku):
                parts.append("\n".join([f"{heading}:", *(f"  - {_item(*row, with_sku)}" for row in rows)]))
            case Facts(rows):
                parts.append("\n".join(f"{label}: {value}" for label, value in rows if value))
            case Address(heading, lines):
                parts.append("\n".join([f"{heading}:", *(f"  {line}" for line in lines)]))
            case Link(label, url) if url:
                parts.append(f"{label}: {url}")
    return "\n\n".join(part for part in parts if part) + "\n"


def html(title: str, blocks: Sequence[Block]) -> str:
    e = escape
    parts: list[str] = []
    for block in blocks:
        match block:
            case Para(body):
                parts.append(f"<p>{e(body)}</p>")
            case Items(heading, rows, True):
                head = "".join(f'<th align="left">{label}</th>' for label in ("SKU", "Item", "Quantity"))
                cells = "".join(
                    f"<tr><td>{e(sku)}</td><td>{e(name)}</td><td>{qty}</td></tr>" for sku, name, qty in rows
                )
                table = f'<table cellpadding="4"><tr>{head}</tr>{cells}</table>'
                parts.append(f"<p><strong>{e(heading)}</strong></p>{table}")
            case Items(heading, rows, False):
                items = "".join(f"<li>{e(_item(*row, False))}</li>" for row in rows)
                parts.append(f"<p><strong>{e(heading)}</strong></p><ul>{items}</ul>")
            case Facts(rows):
                shown = [f"{e(label)}: <strong>{e(value)}</strong>" for label, value in rows if value]
                parts.append(f"<p>{'<br>'.join(shown)}</p>" if shown else "")
            case Address(heading, lines):
                shown = [e(line) for line in lines]
                parts.append(f"<p><strong>{e(heading)}</strong><br>{'<br>'.join(shown)}</p>")
            case Link(label, url) if url and _is_web_link(url):
                parts.append(f'<p><a href="{e(url)}">{e(label)}</a></p>')
            case Link(label, url) if url:
                parts.append(f"<p>{e(label)}: {e(url)}</p>")
    body = "\n".join(part for part in parts if part)
    return (
        f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{e(title)}</title></head>\n'
        f'<body style="{_STYLE}">\n{body}\n</body></html>\n'
    )

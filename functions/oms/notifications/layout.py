"""The few shapes an email body is made of, each rendered once as plain text and once as escaped HTML.

The HTML is what mail clients render alike: nested tables, inline styles only, one column at most 600 px
wide that shrinks with the screen, the shop's header, an accent-coloured button for the call to action
and a footer with the shop's contact and why the reader got the email. The text part carries the same
words and every link, and reads on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from oms.branding import Brand

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

_FONT = "font-family: Helvetica, Arial, sans-serif;"
_TEXT = f"{_FONT} font-size: 16px; line-height: 1.5; color: #222222;"
_SMALL = f"{_FONT} font-size: 13px; line-height: 1.5; color: #666666;"
_P = "margin: 0 0 16px 0;"
# Order ids, SKUs and URLs have no spaces to wrap at: they may break anywhere rather than widen the email.
_WRAP = "word-break: break-word; overflow-wrap: anywhere;"
_CELL = f"padding: 6px 8px 6px 0; border-bottom: 1px solid #e4e4e7; vertical-align: top; {_WRAP}"


def _item(sku: str, name: str, quantity: int, with_sku: bool) -> str:
    return f"{quantity} × {sku}  {name}" if with_sku else f"{quantity} × {name}"


def _is_web_link(url: str) -> bool:
    # Partners may send their own tracking URL: only http(s) becomes a clickable link.
    return url.lower().startswith(("https://", "http://"))


def text(blocks: Sequence[Block], brand: Brand, reason: str) -> str:
    parts: list[str] = [brand.shop_name]
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
    parts.append(f"--\n{_footer_text(brand, reason)}")
    return "\n\n".join(part for part in parts if part) + "\n"


def _footer_text(brand: Brand, reason: str) -> str:
    return f"{brand.shop_name} · {brand.contact_email}\n{reason}"


def _button(label: str, url: str, brand: Brand) -> str:
    e = escape
    accent, ink = e(brand.accent_color), e(brand.on_accent)
    return (
        '<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin: 8px 0 16px 0;">'
        f'<tr><td align="center" bgcolor="{accent}" style="border-radius: 6px; background-color: {accent};">'
        f'<a href="{e(url)}" target="_blank" style="display: inline-block; padding: 12px 24px; {_FONT} '
        f"font-size: 16px; font-weight: bold; line-height: 1.2; color: {ink}; text-decoration: none; "
        f'border-radius: 6px;">{e(label)}</a></td></tr></table>'
        f'<p style="{_P} {_SMALL} {_WRAP}">Or open this link: '
        f'<a href="{e(url)}" style="color: {accent}; {_WRAP}">{e(url)}</a></p>'
    )


def _items_table(heading: str, rows: tuple[tuple[str, str, int], ...], with_sku: bool) -> str:
    e = escape
    labels = ("SKU", "Item", "Qty") if with_sku else ("Item", "Qty")
    head = "".join(
        f'<th align="{"right" if label == "Qty" else "left"}" style="{_CELL} {_SMALL} font-weight: bold;">{label}</th>'
        for label in labels
    )
    cells = "".join(
        "<tr>"
        + (f'<td style="{_CELL} font-family: monospace; font-size: 14px;">{e(sku)}</td>' if with_sku else "")
        + f'<td style="{_CELL}">{e(name)}</td>'
        + f'<td align="right" style="{_CELL} white-space: nowrap;">{qty}</td></tr>'
        for sku, name, qty in rows
    )
    table = (
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="width: 100%; margin: 0 0 16px 0; {_TEXT}"><tr>{head}</tr>{cells}</table>'
    )
    return f'<p style="{_P} font-weight: bold;">{e(heading)}</p>{table}'


def _body(blocks: Sequence[Block], brand: Brand) -> str:
    e = escape
    parts: list[str] = []
    for block in blocks:
        match block:
            case Para(body):
                parts.append(f'<p style="{_P}">{e(body)}</p>')
            case Items(heading, rows, with_sku):
                parts.append(_items_table(heading, rows, with_sku))
            case Facts(rows):
                shown = [f"{e(label)}: <strong>{e(value)}</strong>" for label, value in rows if value]
                parts.append(f'<p style="{_P} {_WRAP}">{"<br>".join(shown)}</p>' if shown else "")
            case Address(heading, lines):
                shown = [e(line) for line in lines]
                parts.append(f'<p style="{_P}"><strong>{e(heading)}</strong><br>{"<br>".join(shown)}</p>')
            case Link(label, url) if url and _is_web_link(url):
                parts.append(_button(label, url, brand))
            case Link(label, url) if url:
                parts.append(f'<p style="{_P} {_WRAP}">{e(label)}: {e(url)}</p>')
    return "\n".join(part for part in parts if part)


def _header(brand: Brand) -> str:
    e = escape
    if brand.logo_url:
        mark = (
            f'<img src="{e(brand.logo_url)}" alt="{e(brand.shop_name)}" height="48" '
            f'style="display: block; height: 48px; width: auto; max-width: 240px; border: 0; '
            f'{_FONT} font-size: 22px; font-weight: bold; color: {e(brand.accent_color)};">'
        )
    else:
        mark = (
            f'<span style="{_FONT} font-size: 22px; font-weight: bold; color: {e(brand.accent_color)};">'
            f"{e(brand.shop_name)}</span>"
        )
    return (
        f'<tr><td style="padding: 20px 24px; border-top: 4px solid {e(brand.accent_color)}; {_WRAP}">{mark}</td></tr>'
    )


def _footer(brand: Brand, reason: str) -> str:
    e = escape
    contact = e(brand.contact_email)
    return (
        f'<tr><td style="padding: 16px 24px 24px 24px; border-top: 1px solid #e4e4e7; {_SMALL} {_WRAP}">'
        f"<strong>{e(brand.shop_name)}</strong> · "
        f'<a href="mailto:{contact}" style="color: {e(brand.accent_color)};">{contact}</a><br>'
        f"{e(reason)}</td></tr>"
    )


def html(title: str, blocks: Sequence[Block], brand: Brand, reason: str) -> str:
    e = escape
    preheader = next((block.text for block in blocks[1:] if isinstance(block, Para)), "")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="x-apple-disable-message-reformatting">'
        f"<title>{e(title)}</title></head>\n"
        '<body style="margin: 0; padding: 0; background-color: #f4f4f5;">\n'
        f'<div style="display: none; max-height: 0; overflow: hidden;">{e(preheader)}</div>\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="width: 100%; background-color: #f4f4f5;"><tr><td align="center" style="padding: 24px 8px;">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        'style="width: 100%; max-width: 600px; background-color: #ffffff; border-radius: 8px;">\n'
        f"{_header(brand)}\n"
        f'<tr><td style="padding: 8px 24px 8px 24px; {_TEXT} {_WRAP}">\n{_body(blocks, brand)}\n</td></tr>\n'
        f"{_footer(brand, reason)}\n"
        "</table>\n</td></tr></table>\n</body></html>\n"
    )

"""The small HTML pages a customer sees when answering the feedback email, in the merchant's brand.

The rating is five radio inputs drawn as stars by CSS alone: the page works without JavaScript, each
star keeps its own label for screen readers and the keyboard, and the form posts as it always did.
"""

from __future__ import annotations

from html import escape

from oms.branding import Brand

# The inputs come 5 to 1 in the document and are laid out right to left, so that a checked or hovered
# star can light itself and the stars after it in the document: the ones before it on the screen.
_STYLE = (
    "*{box-sizing:border-box}"
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;"
    "background:#f4f4f5;color:#222;line-height:1.5}"
    "main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem 2rem;background:#fff;min-height:100vh}"
    "header{padding-bottom:1rem;margin-bottom:1.5rem;border-bottom:4px solid var(--accent)}"
    "header img{display:block;height:48px;width:auto;max-width:100%}"
    ".shop{font-size:1.4rem;font-weight:700;color:var(--accent);overflow-wrap:anywhere}"
    "h1{font-size:1.5rem;line-height:1.3;margin:0 0 .75rem}"
    # The order number moves to a line of its own rather than break, and only breaks if wider than one.
    ".ref{display:inline-block;max-width:100%;overflow-wrap:anywhere}"
    "fieldset{border:0;padding:0;margin:0 0 1.25rem}legend{font-weight:700;margin-bottom:.25rem}"
    ".stars{display:inline-flex;flex-direction:row-reverse;gap:.25rem}"
    ".stars input{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;"
    "clip:rect(0 0 0 0);white-space:nowrap;border:0}"
    ".stars label{font-size:2.5rem;line-height:1;color:#c4c4cc;cursor:pointer;padding:0 .1rem}"
    ".stars label:hover,.stars label:hover~label,.stars input:checked~label{color:var(--accent)}"
    ".stars input:focus-visible+label{outline:3px solid var(--accent);outline-offset:2px;border-radius:4px}"
    ".sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap;border:0}"
    ".scale{font-size:.9rem;color:#555;margin:.25rem 0 0}"
    "label[for=comment]{display:block;font-weight:700;margin-bottom:.25rem}"
    "textarea{width:100%;min-height:6rem;font:inherit;padding:.5rem;border:1px solid #a1a1aa;border-radius:6px}"
    "button{margin-top:1rem;padding:.75rem 1.5rem;font:inherit;font-weight:700;border:0;border-radius:6px;"
    "background:var(--accent);color:var(--on-accent);cursor:pointer}"
    "footer{margin-top:2rem;padding-top:1rem;border-top:1px solid #e4e4e7;font-size:.85rem;color:#666;"
    "overflow-wrap:anywhere}footer a{color:var(--accent)}"
)

_STAR_WORDS = {1: "poor", 2: "fair", 3: "good", 4: "very good", 5: "excellent"}


def _page(title: str, body: str, brand: Brand) -> str:
    e = escape
    if brand.logo_url:
        mark = f'<img src="{e(brand.logo_url)}" alt="{e(brand.shop_name)}">'
    else:
        mark = f'<span class="shop">{e(brand.shop_name)}</span>'
    contact = e(brand.contact_email)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{e(title)} · {e(brand.shop_name)}</title>"
        f"<style>:root{{--accent:{e(brand.accent_color)};--on-accent:{e(brand.on_accent)}}}{_STYLE}</style>"
        f"</head><body><main><header>{mark}</header>{body}"
        f'<footer>{e(brand.shop_name)} · Questions? Write to <a href="mailto:{contact}">{contact}</a></footer>'
        f"</main></body></html>"
    )


def _star(n: int) -> str:
    word = "star" if n == 1 else "stars"
    return (
        f'<input type="radio" id="rating-{n}" name="rating" value="{n}"{" required" if n == 5 else ""}>'
        f'<label for="rating-{n}" title="{n} {word}"><span class="sr">{n} {word}, {_STAR_WORDS[n]}</span>'
        f'<span aria-hidden="true">★</span></label>'
    )


def rating_page(external_ref: str, customer_name: str, already: bool, brand: Brand | None = None) -> str:
    brand = brand or Brand()
    if already:
        return thank_you_page("Thank you", "You have already told us about this order.", brand)
    stars = "".join(_star(n) for n in range(5, 0, -1))
    return _page(
        "How was your order?",
        (
            f'<h1>How was your order <span class="ref">{escape(external_ref)}</span>?</h1>'
            f"<p>Hello {escape(customer_name)}, please rate it from 1 star (poor) to 5 stars (excellent).</p>"
            f'<form method="post"><fieldset><legend>Your rating</legend>'
            f'<div class="stars">{stars}</div><p class="scale">1 star is poor, 5 stars excellent.</p></fieldset>'
            f'<label for="comment">Anything to add? (optional)</label>'
            f'<textarea id="comment" name="comment" maxlength="2000"></textarea>'
            f'<button type="submit">Send feedback</button></form>'
        ),
        brand,
    )


def thank_you_page(title: str, message: str, brand: Brand | None = None) -> str:
    """`message` must already be escaped HTML."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{message}</p>", brand or Brand())

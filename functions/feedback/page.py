"""The small HTML pages a customer sees when answering the feedback email."""

from __future__ import annotations

from html import escape

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "fieldset{border:0;padding:0}label{margin-right:.8rem}textarea{width:100%;min-height:6rem}"
    "button{margin-top:1rem;padding:.6rem 1.2rem;font-size:1rem}"
)


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def rating_page(external_ref: str, customer_name: str, already: bool) -> str:
    if already:
        return thank_you_page("Thank you", "You have already told us about this order.")
    stars = "".join(f'<label><input type="radio" name="rating" value="{n}" required> {n}</label>' for n in range(1, 6))
    return _page(
        "How was your order?",
        (
            f"<h1>How was your order {escape(external_ref)}?</h1>"
            f"<p>Hello {escape(customer_name)}, please rate it from 1 (poor) to 5 (excellent).</p>"
            f'<form method="post"><fieldset><legend>Rating</legend>{stars}</fieldset>'
            f'<p><label for="comment">Anything to add?</label></p>'
            f'<textarea id="comment" name="comment" maxlength="2000"></textarea>'
            f'<button type="submit">Send feedback</button></form>'
        ),
    )


def thank_you_page(title: str, message: str) -> str:
    """`message` must already be escaped HTML."""
    return _page(title, f"<h1>{escape(title)}</h1><p>{message}</p>")

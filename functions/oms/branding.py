"""The merchant's look as emails and the feedback page show it: name, logo, accent colour and contact."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from oms.settings import MerchantSettings, settings


@dataclass(frozen=True)
class Brand:
    shop_name: str = "Merchant Shop"
    logo_url: str | None = None
    accent_color: str = "#1f5f8b"
    contact_email: str = "orders@merchant.example"

    @property
    def on_accent(self) -> str:
        """Text colour that stays readable on the accent colour (a light accent takes dark text)."""
        red, green, blue = (int(self.accent_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
        luminance = sum(
            w * (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
            for w, c in ((0.2126, red), (0.7152, green), (0.0722, blue))
        )
        return "#111111" if luminance > 0.4 else "#ffffff"


def brand_of(merchant: MerchantSettings) -> Brand:
    # Without a support address, replies go where the emails come from.
    contact = merchant.support_email or parseaddr(merchant.sender)[1] or merchant.sender
    return Brand(
        shop_name=merchant.shop_name,
        logo_url=merchant.logo_url,
        accent_color=merchant.accent_color,
        contact_email=contact,
    )


def brand() -> Brand:
    """The brand of this function's settings."""
    return brand_of(settings())

"""The comparable form of a Träger record: tokens, legal form, contacts, parsed addresses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.analysis.linkage.address import Address, parse_address
from graph.analysis.linkage.tokens import legal_form, name_tokens

# Hosts that serve many unrelated Träger: the first path segment belongs to the site
# ("berlin.de/ba-mitte" and "berlin.de/ba-neukoelln" are two sites).
PORTAL_HOSTS = frozenset(
    {"berlin.de", "facebook.com", "instagram.com", "jimdo.com", "wordpress.com", "blogspot.com"}
)
# Mail providers anyone can use: a shared domain there says nothing.
MAIL_PROVIDERS = frozenset(
    {"gmail.com", "googlemail.com", "web.de", "gmx.de", "gmx.net", "t-online.de", "yahoo.de",
     "yahoo.com", "outlook.com", "hotmail.com", "hotmail.de", "freenet.de", "posteo.de",
     "icloud.com", "aol.com", "mail.de", "arcor.de"}
)  # fmt: skip


def normalize_site(url: str | None) -> str | None:
    """The website as "domain" or "portal/first-segment": scheme, "www.", case and paths cut
    ("https:www.gsj-berlin.de/" -> "gsj-berlin.de", "htttp://http://www.sozdia.de/" ->
    "sozdia.de", "https://www.berlin.de/ba-mitte/" -> "berlin.de/ba-mitte")."""
    if not url or not url.strip():
        return None
    text = url.strip().lower()
    text = re.sub(r"^(?:[a-z]+:/*)+", "", text)
    text = re.sub(r"^www\.", "", text)
    parts = [p for p in re.split(r"[/?#]", text) if p]
    if not parts:
        return None
    host = parts[0].removesuffix(".")
    if host in PORTAL_HOSTS and len(parts) > 1:
        return f"{host}/{parts[1].removesuffix('.de')}"
    return host


def normalize_phone(phone: str | None) -> str | None:
    """Digits only, "+49" written as "0"; None below five digits."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone.split(" ext")[0])
    if phone.strip().startswith("+"):
        digits = "0" + digits[2:] if digits.startswith("49") else "00" + digits
    elif digits.startswith("0049"):
        digits = "0" + digits[4:]
    return digits if len(digits) >= 5 else None


def mail_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    domain = email.strip().lower().rsplit("@", 1)[1]
    return None if domain in MAIL_PROVIDERS or not domain else domain


@dataclass(frozen=True, slots=True)
class LinkRecord:
    id: str
    name: str
    tokens: tuple[str, ...]
    squashed: str  # the tokens without spaces: "Tandembtl" == "tandem BTL"
    form: str | None
    site: str | None
    mail: str | None
    phone: str | None
    addresses: tuple[Address, ...]
    address_texts: tuple[str, ...]  # as entered, index-aligned with ``addresses``
    areas: frozenset[str]


def link_record(
    ident: str,
    name: str,
    *,
    website: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    addresses: Sequence[str] = (),
    areas: Iterable[str] = (),
) -> LinkRecord:
    tokens = name_tokens(name)
    parsed: list[Address] = []
    texts: list[str] = []
    for text in addresses:
        if (a := parse_address(text)) is not None:
            parsed.append(a)
            texts.append(text)
    return LinkRecord(
        id=ident,
        name=name,
        tokens=tokens,
        squashed="".join(tokens),
        form=legal_form(name),
        site=normalize_site(website),
        mail=mail_domain(email),
        phone=normalize_phone(phone),
        addresses=tuple(parsed),
        address_texts=tuple(texts),
        areas=frozenset(areas),
    )

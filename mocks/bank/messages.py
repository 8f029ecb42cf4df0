"""Localised texts the bank sends: the OTP SMS and the consent text.

The language is the one the app runs in (``language`` of the adapter call, ISO 639-1) when the bank
has texts in it, else the language of the client's locale, else English - a client whose phone is
set to an unsupported language still gets a readable message.  SMS texts carry no name or other
personal data: whoever sees the phone's lock screen learns only that a code arrived.
"""

from __future__ import annotations

from html import escape

from .models import OtpType

__all__ = ["DEFAULT_LANGUAGE", "SUPPORTED_LANGUAGES", "choose_language", "consent_text", "otp_sms_text"]

DEFAULT_LANGUAGE = "en"

_OTP_TEXTS: dict[str, dict[OtpType, str]] = {
    "en": {
        OtpType.ACTIVATION: "{bank}: your code to activate mobile banking is {otp}. It is valid for"
                            " 5 minutes. Never share it with anyone, not even bank staff.",
        OtpType.USER_VERIFICATION: "{bank}: your code to confirm your identity is {otp}. It is valid for"
                                   " 5 minutes. Never share it with anyone, not even bank staff.",
    },
    "cs": {
        OtpType.ACTIVATION: "{bank}: váš kód pro aktivaci mobilního bankovnictví je {otp}. Platí 5 minut."
                            " Nikomu jej nesdělujte, ani pracovníkům banky.",
        OtpType.USER_VERIFICATION: "{bank}: váš kód pro ověření totožnosti je {otp}. Platí 5 minut."
                                   " Nikomu jej nesdělujte, ani pracovníkům banky.",
    },
    "de": {
        OtpType.ACTIVATION: "{bank}: Ihr Code zur Aktivierung des Mobile Banking lautet {otp}. Er ist"
                            " 5 Minuten gültig. Geben Sie ihn niemals weiter, auch nicht an Bankmitarbeiter.",
        OtpType.USER_VERIFICATION: "{bank}: Ihr Code zur Bestätigung Ihrer Identität lautet {otp}. Er ist"
                                   " 5 Minuten gültig. Geben Sie ihn niemals weiter, auch nicht an"
                                   " Bankmitarbeiter.",
    },
    "sk": {
        OtpType.ACTIVATION: "{bank}: váš kód na aktiváciu mobilného bankovníctva je {otp}. Platí 5 minút."
                            " Nikomu ho neoznamujte, ani pracovníkom banky.",
        OtpType.USER_VERIFICATION: "{bank}: váš kód na overenie totožnosti je {otp}. Platí 5 minút."
                                   " Nikomu ho neoznamujte, ani pracovníkom banky.",
    },
}

_RESEND_PREFIX: dict[str, str] = {
    "en": "New code. ",
    "cs": "Nový kód. ",
    "de": "Neuer Code. ",
    "sk": "Nový kód. ",
}

_CONSENT: dict[str, tuple[str, str]] = {
    "en": ("Consent to the processing of personal data",
           "I agree that {bank} processes the photographs of my identity document and my face, and the"
           " data read from them, to verify my identity for this request ({type})."),
    "cs": ("Souhlas se zpracováním osobních údajů",
           "Souhlasím, aby {bank} zpracovala fotografie mého dokladu totožnosti a mého obličeje a údaje"
           " z nich vytěžené za účelem ověření mé totožnosti pro tuto žádost ({type})."),
    "de": ("Einwilligung in die Verarbeitung personenbezogener Daten",
           "Ich willige ein, dass {bank} die Aufnahmen meines Ausweisdokuments und meines Gesichts sowie"
           " die daraus gelesenen Daten verarbeitet, um meine Identität für diesen Antrag ({type}) zu"
           " prüfen."),
    "sk": ("Súhlas so spracovaním osobných údajov",
           "Súhlasím, aby {bank} spracovala fotografie môjho dokladu totožnosti a mojej tváre a údaje"
           " z nich vyčítané na účel overenia mojej totožnosti pre túto žiadosť ({type})."),
}

SUPPORTED_LANGUAGES = tuple(sorted(_OTP_TEXTS))


def _base_language(tag: str | None) -> str | None:
    if not tag:
        return None
    return tag.replace("-", "_").split("_", 1)[0].lower()


def choose_language(requested: str | None, locale: str | None) -> str:
    """The app's language if supported, else the client's locale language, else English."""
    for candidate in (_base_language(requested), _base_language(locale)):
        if candidate in _OTP_TEXTS:
            return candidate
    return DEFAULT_LANGUAGE


def otp_sms_text(otp: str, otp_type: OtpType, language: str, *, bank: str, resend: bool = False) -> str:
    """The SMS that carries ``otp``; ``language`` must be one of :data:`SUPPORTED_LANGUAGES`."""
    lang = language if language in _OTP_TEXTS else DEFAULT_LANGUAGE
    text = _OTP_TEXTS[lang][otp_type].format(bank=bank, otp=otp)
    return _RESEND_PREFIX[lang] + text if resend else text


def consent_text(consent_type: str, language: str, *, bank: str) -> str:
    """The consent as HTML (the adapter API returns HTML), escaped where it quotes the request."""
    lang = language if language in _CONSENT else DEFAULT_LANGUAGE
    title, body = _CONSENT[lang]
    paragraph = escape(body.format(bank=bank, type=consent_type))
    return (f'<html lang="{lang}"><body><h1>{escape(title)}</h1>'
            f"<p>{paragraph}</p></body></html>")

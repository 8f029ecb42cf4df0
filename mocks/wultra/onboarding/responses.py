"""Thin handlers: decrypt, validate, call the model, answer encrypted."""

from __future__ import annotations

from flask import Response, request

from . import onboarding_service, process
from .schemas import ProcessRequest, StartRequest, parse_request
from .secure_channel import SecureExchange, open_request
from .settings import onboarding_settings


def _language() -> str:
    """ISO 639-1 language of ``Accept-Language`` (what ``/otp/send`` is told), default ``en``."""
    best = request.accept_languages.best
    code = (best or "en").split("-")[0].lower()
    return code if len(code) == 2 and code.isalpha() else "en"


def _process(exchange: SecureExchange) -> process.Record:
    body = parse_request(ProcessRequest, exchange.request_object)
    return process.load(body.processId, exchange.application_id, onboarding_settings())


def onboarding_start() -> Response:
    exchange = open_request()
    body = parse_request(StartRequest, exchange.request_object)
    answer = onboarding_service.start(exchange.application_id, body, _language(), onboarding_settings())
    return exchange.respond(answer)


def onboarding_status() -> Response:
    exchange = open_request()
    return exchange.respond(onboarding_service.status(_process(exchange), onboarding_settings()))


def onboarding_otp_resend() -> Response:
    exchange = open_request()
    onboarding_service.resend_otp(_process(exchange), onboarding_settings())
    return exchange.respond()


def onboarding_cleanup() -> Response:
    exchange = open_request()
    onboarding_service.cleanup(_process(exchange))
    return exchange.respond()

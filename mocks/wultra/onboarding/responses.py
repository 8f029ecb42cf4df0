"""Thin handlers: decrypt, validate, call the model, answer encrypted."""

from __future__ import annotations

from flask import Response, request

from . import (
    activation,
    consent,
    identity_documents,
    identity_service,
    onboarding_service,
    presence,
    process,
    sca,
)
from .schemas import (
    ConfigurationRequest,
    ConsentApproveRequest,
    ConsentTextRequest,
    DocumentSubmitRequest,
    IdentityRequest,
    OtpVerifyRequest,
    ProcessRequest,
    StartRequest,
    parse_request,
)
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


def _identity(exchange: SecureExchange) -> process.Record:
    body = parse_request(IdentityRequest, exchange.request_object)
    return identity_service.load(body, exchange.application_id, onboarding_settings())


# --------------------------------------------------------------------------- onboarding


def configuration() -> Response:
    exchange = open_request()
    body = parse_request(ConfigurationRequest, exchange.request_object)
    return exchange.respond(onboarding_service.configuration(body.processType, onboarding_settings()))


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


# --------------------------------------------------------------------------- identity verification


def identity_init() -> Response:
    exchange = open_request()
    identity_service.init(_identity(exchange), onboarding_settings())
    return exchange.respond()


def identity_status() -> Response:
    exchange = open_request()
    return exchange.respond(identity_service.status(_identity(exchange), onboarding_settings()))


def consent_text() -> Response:
    exchange = open_request()
    body = parse_request(ConsentTextRequest, exchange.request_object)
    settings = onboarding_settings()
    record = identity_service.load(body, exchange.application_id, settings)
    return exchange.respond(consent.text(record, body.consentType, settings))


def consent_approve() -> Response:
    exchange = open_request()
    body = parse_request(ConsentApproveRequest, exchange.request_object)
    settings = onboarding_settings()
    record = identity_service.load(body, exchange.application_id, settings)
    consent.approve(record, body.consentType, body.approved, settings)
    return exchange.respond()


def identity_cleanup() -> Response:
    exchange = open_request()
    identity_service.cleanup(_identity(exchange), onboarding_settings())
    return exchange.respond()


def document_submit() -> Response:
    exchange = open_request()
    body = parse_request(DocumentSubmitRequest, exchange.request_object)
    settings = onboarding_settings()
    record = identity_service.load(body, exchange.application_id, settings)
    identity_documents.submit(record, body, settings)
    return exchange.respond()


def document_status() -> Response:
    exchange = open_request()
    return exchange.respond(identity_documents.status_view(_identity(exchange)))


def presence_check_init() -> Response:
    exchange = open_request()
    return exchange.respond(presence.init(_identity(exchange), onboarding_settings()))


def presence_check_submit() -> Response:
    exchange = open_request()
    presence.submit(_identity(exchange), onboarding_settings())
    return exchange.respond()


def otp_resend() -> Response:
    exchange = open_request()
    identity_service.resend_otp(_identity(exchange), onboarding_settings())
    return exchange.respond()


def otp_verify() -> Response:
    exchange = open_request()
    body = parse_request(OtpVerifyRequest, exchange.request_object)
    settings = onboarding_settings()
    record = identity_service.load(body, exchange.application_id, settings)
    return exchange.respond(sca.verify(record, body.otpCode, settings))


def identity_activation() -> Response:
    exchange = open_request()
    return exchange.respond(activation.issue(_identity(exchange), onboarding_settings()))

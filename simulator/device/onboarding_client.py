"""The app's Onboarding Server client, shaped like Wultra's Digital Onboarding SDK (WDO).

Every call is a ``POST`` to ``{base}/enrollment-server-onboarding/api/...`` encrypted in application
scope (the app has no activation yet): the body ``{"requestObject": {...}}`` is sealed with
:class:`simulator.powerauth.ecies.EciesEncryptor` to the application's master public key, with the
application key and secret and ``SHARED_INFO_1`` ``/pa/generic/application``; the parameters travel
in ``X-PowerAuth-Encryption: PowerAuth version="3.2", application_key="…"``. A successful answer is
the PowerAuth ECIES response, decrypted to ``{"status":"OK"[, "responseObject": {...}]}``; errors come
back plain, ``{"status":"ERROR","responseObject":{"code","message"}[, "remainingAttempts"]}``, and
are raised as :class:`OnboardingServerError` with the code, HTTP status and ``remainingAttempts``.

Binding to the process: ``start`` answers (inside its encrypted body) a ``processId`` and a
``processToken``; the client keeps both, as the SDK caches the process, and adds them to every
later request object. Identity calls carry ``processToken`` next to ``processId``.

Flow (the app's side of steps 2-8)::

    client.start({"clientNumber": …, "birthDate": …})      # process type "reactivation"
    client.identity_init(); client.submit_documents(photos) or client.submit_chip(evidence)
    client.wait_for_state(VerificationState.PRESENCE_CHECK)  # the app polls identity status
    session = client.presence_check_init()                 # verification token + liveness challenge
    face_sdk.launch(session.token, session.challenge); client.presence_check_submit()
    client.verify_otp(otp)                                 # verified / remainingAttempts
    code = client.activation().code                        # the activation code for step 9

Protocol 3.0-3.2 encrypt to the master key with :class:`AppCredentials` alone.  3.3 encrypts to an
application-scope temporary key from the Enrollment Server's ``/pa/v3/keystore/create``, which the
PowerAuth SDK fetches, verifies and caches; as WDO takes the PowerAuth SDK's application-scope
encryptor, pass ``encryptors=sdk.application_encryptor`` (any callable giving a fresh encryptor per
request) and the client seals with it - whatever version the SDK speaks.  ``AppCredentials`` alone
refuse 3.3 with :class:`OnboardingConfigError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

import requests
from cryptography.hazmat.primitives.asymmetric import ec

from simulator.device.powerauth_sdk.errors import PowerAuthSdkError, ServerResponseError
from simulator.encoding import b64encode_text
from simulator.powerauth.activation_code import is_valid_activation_code, verify_activation_signature
from simulator.powerauth.ecies import EciesContext, EciesEncryptor, EciesResponse, EncryptorId, dumps_compact
from simulator.powerauth.errors import PowerAuthError
from simulator.powerauth.headers import ENCRYPTION_HEADER, EncryptionHeader
from simulator.powerauth.keys import public_key_from_bytes
from simulator.powerauth.versions import ProtocolVersion

__all__ = [
    "CONTEXT_PATH",
    "DEFAULT_PROCESS_TYPE",
    "PATHS",
    "AppCredentials",
    "ApplicationEncryptor",
    "DocumentStatus",
    "IdentityStatus",
    "IssuedActivation",
    "OnboardingClient",
    "OnboardingConfigError",
    "OnboardingError",
    "OnboardingProcess",
    "OnboardingSecurityError",
    "OnboardingServerError",
    "OnboardingTimeoutError",
    "OnboardingTransportError",
    "OtpVerification",
    "PresenceCheckSession",
    "ProcessNotStartedError",
    "ProcessStatus",
    "VerificationState",
]

CONTEXT_PATH = "/enrollment-server-onboarding"
DEFAULT_PROCESS_TYPE = "reactivation"
DEFAULT_VERSION = ProtocolVersion.V3_2
SESSION_HEADER = "X-Sim-Session"

#: Endpoint paths under the context path, by operation.
PATHS: dict[str, str] = {
    "start": "/api/onboarding/start",
    "status": "/api/onboarding/status",
    "otp_resend": "/api/onboarding/otp/resend",
    "cleanup": "/api/onboarding/cleanup",
    "identity_init": "/api/identity/init",
    "identity_status": "/api/identity/status",
    "document_submit": "/api/v2/identity/document/submit",
    "document_status": "/api/identity/document/status",
    "presence_init": "/api/identity/presence-check/init",
    "presence_submit": "/api/identity/presence-check/submit",
    "otp_verify": "/api/identity/otp/verify",
    "identity_otp_resend": "/api/identity/otp/resend",
    "activation": "/api/identity/activation",
    "identity_cleanup": "/api/identity/cleanup",
}

#: ``sessionAttributes`` keys that may hold the verification token (iProov, Wultra's mock provider).
TOKEN_ATTRIBUTES = ("iProovVerificationToken", "verificationToken", "mockVerificationToken")
CHALLENGE_ATTRIBUTES = ("livenessChallenge", "iProovLivenessChallenge")


# ----------------------------------------------------------------------------------------- errors


class OnboardingError(Exception):
    """Base class. ``code`` is the server's error code, ``http_status`` its status (0: no answer),
    ``remaining_attempts`` the OTP attempts left when the server said so."""

    def __init__(
        self, message: str, *, code: str = "", http_status: int = 0, remaining_attempts: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.http_status = http_status
        self.remaining_attempts = remaining_attempts

    @property
    def allow_otp_retry(self) -> bool:
        """WDO's ``allowOnboardingOtpRetry``: the server left OTP attempts."""
        return bool(self.remaining_attempts and self.remaining_attempts > 0)


class OnboardingConfigError(OnboardingError):
    """The app is configured in a way the client cannot work with (bad key, unsupported version)."""


class OnboardingTransportError(OnboardingError):
    """No answer, or an answer that is neither an encrypted success nor the server's error envelope."""


class OnboardingSecurityError(OnboardingError):
    """The server's success answer does not decrypt under the request's envelope key (MAC, format)."""


class OnboardingServerError(OnboardingError):
    """The server refused the call with its error envelope (``ONBOARDING_FAILED``, ``…_LIMIT_REACHED``)."""


class OnboardingTimeoutError(OnboardingError):
    """Polling gave up: the server did not reach the awaited state in time."""


class ProcessNotStartedError(OnboardingError):
    """A call that needs a process, before ``start`` (or after ``cleanup``); WDO's
    ``PROCESS_NOT_IN_PROGRESS``."""


# ----------------------------------------------------------------------------------------- models


class _PowerAuthLikeConfig(Protocol):
    """Anything with the three application values (the PowerAuth SDK's ``PowerAuthConfig``)."""

    @property
    def application_key(self) -> str: ...

    @property
    def application_secret(self) -> str: ...

    @property
    def master_public_key(self) -> bytes: ...


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """What the app is configured with: application key and secret (Base64 text), the master public
    key (bytes, compressed or not) and the protocol version of the ECIES envelope."""

    application_key: str
    application_secret: str
    master_public_key: bytes
    version: ProtocolVersion = DEFAULT_VERSION

    def __post_init__(self) -> None:
        try:
            version = ProtocolVersion(self.version)
        except ValueError as exc:
            raise OnboardingConfigError(f"unknown protocol version {self.version!r}") from exc
        if version.has_temporary_key:
            raise OnboardingConfigError(
                "protocol 3.3 needs an application-scope temporary key; the onboarding client speaks 3.0-3.2"
            )
        object.__setattr__(self, "version", version)
        if not self.application_key or not self.application_secret:
            raise OnboardingConfigError("application key and secret are required")
        try:
            public_key_from_bytes(self.master_public_key)
        except PowerAuthError as exc:
            raise OnboardingConfigError(f"master public key is not a P-256 point: {exc}") from exc

    @classmethod
    def from_config(
        cls, config: _PowerAuthLikeConfig, version: ProtocolVersion | str = DEFAULT_VERSION
    ) -> AppCredentials:
        """From the PowerAuth SDK's configuration (same three values), with the onboarding version."""
        return cls(config.application_key, config.application_secret, bytes(config.master_public_key),
                   ProtocolVersion(version))

    @property
    def master_key(self) -> ec.EllipticCurvePublicKey:
        return public_key_from_bytes(self.master_public_key)


@dataclass(frozen=True, slots=True)
class OnboardingProcess:
    """The process ``start`` opened: its id, the token binding identity calls to it, and its config."""

    process_id: str
    process_token: str = field(repr=False)
    onboarding_status: str
    otp_resend_period_seconds: int | None = None
    activation_code: str | None = None


@dataclass(frozen=True, slots=True)
class ProcessStatus:
    """``/api/onboarding/status``."""

    process_id: str
    onboarding_status: str
    otp_resend_period_seconds: int | None = None


class VerificationState(StrEnum):
    """What the WDO SDK makes of (phase, status): the screen the app shows next."""

    INTRO = "intro"
    DOCUMENTS = "documents"  # documentsToScanSelect / scanDocument
    PROCESSING = "processing"  # the app polls status again
    PRESENCE_CHECK = "presenceCheck"
    OTP = "otp"
    FINISH_ACTIVATION = "finishActivation"
    SUCCESS = "success"
    REJECTED = "endState"
    FAILED = "failed"


_PROCESSING = {
    ("DOCUMENT_UPLOAD", "VERIFICATION_PENDING"), ("DOCUMENT_VERIFICATION", "ACCEPTED"),
    ("DOCUMENT_VERIFICATION", "IN_PROGRESS"), ("DOCUMENT_VERIFICATION_FINAL", "ACCEPTED"),
    ("DOCUMENT_VERIFICATION_FINAL", "IN_PROGRESS"), ("CLIENT_EVALUATION", "IN_PROGRESS"),
    ("CLIENT_EVALUATION", "ACCEPTED"), ("PRESENCE_CHECK", "VERIFICATION_PENDING"),
}


@dataclass(frozen=True, slots=True)
class IdentityStatus:
    """``/api/identity/status``: (phase, status) of the identity verification."""

    status: str
    phase: str | None
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def state(self) -> VerificationState:
        """The WDO SDK's mapping (spec §5); an unknown combination is ``failed``, as there."""
        key = (self.phase, self.status)
        if self.status == "FAILED":
            return VerificationState.FAILED
        if self.phase is None:
            return VerificationState.INTRO if self.status == "NOT_INITIALIZED" else VerificationState.FAILED
        if self.status == "REJECTED":
            return VerificationState.REJECTED
        if key in _PROCESSING or self.phase == "ONBOARDING_APPROVAL":
            return VerificationState.PROCESSING
        if key == ("DOCUMENT_UPLOAD", "IN_PROGRESS"):
            return VerificationState.DOCUMENTS
        if self.phase == "PRESENCE_CHECK" and self.status in ("NOT_INITIALIZED", "IN_PROGRESS"):
            return VerificationState.PRESENCE_CHECK
        if key == ("OTP_VERIFICATION", "VERIFICATION_PENDING"):
            return VerificationState.OTP
        if self.phase == "ACTIVATION_FINISH":
            return VerificationState.FINISH_ACTIVATION
        if key == ("COMPLETED", "ACCEPTED"):
            return VerificationState.SUCCESS
        return VerificationState.FAILED


@dataclass(frozen=True, slots=True)
class DocumentStatus:
    """``/api/identity/document/status``: overall status and one entry per submitted document."""

    status: str
    documents: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class PresenceCheckSession:
    """``presence-check/init``: the provider's verification token and liveness challenge for the SDK."""

    token: str
    challenge: Any
    attributes: Mapping[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, slots=True)
class IssuedActivation:
    """``/api/identity/activation``: the code for step 9 and, when sent, the master key's signature
    over it (the PowerAuth SDK can check it before use)."""

    code: str
    signature: str | None = None


@dataclass(frozen=True, slots=True)
class OtpVerification:
    """``/api/identity/otp/verify``: never says whether the face or the OTP failed (RX-15)."""

    verified: bool
    expired: bool
    remaining_attempts: int | None
    onboarding_status: str | None

    @property
    def allow_retry(self) -> bool:
        """Not verified, not expired and attempts left: type the OTP again."""
        return not self.verified and not self.expired and bool(self.remaining_attempts)


# ----------------------------------------------------------------------------------------- client


def _str(obj: Mapping[str, Any], name: str, what: str) -> str:
    value = obj.get(name)
    if not isinstance(value, str) or not value:
        raise OnboardingTransportError(f"{what} answer lacks {name!r}")
    return value


def _opt_int(obj: Mapping[str, Any], name: str) -> int | None:
    value = obj.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _resend_period(obj: Mapping[str, Any]) -> int | None:
    config = obj.get("config")
    return _opt_int(config, "otpResendPeriodSeconds") if isinstance(config, Mapping) else None


class SealedRequest(Protocol):
    """An encrypted request: the exact body bytes and the ``X-PowerAuth-Encryption`` header."""

    @property
    def body(self) -> bytes: ...

    @property
    def headers(self) -> dict[str, str]: ...


class ApplicationEncryptor(Protocol):
    """One application-scope ECIES exchange (the PowerAuth SDK's ``DeviceEncryptor`` is one)."""

    def encrypt(self, plaintext: bytes | Mapping[str, Any]) -> SealedRequest: ...

    def decrypt(self, response: Mapping[str, Any]) -> bytes: ...


@dataclass(frozen=True, slots=True)
class _Sealed:
    body: bytes
    headers: dict[str, str]


class _MasterKeyEncryptor:
    """3.0-3.2: ECIES to the application's master public key, from :class:`AppCredentials` alone."""

    def __init__(self, app: AppCredentials) -> None:
        self.app = app
        context = EciesContext(app.version, EncryptorId.APPLICATION_SCOPE_GENERIC, app.application_key,
                               app.application_secret)
        self._ecies = EciesEncryptor(context, app.master_key)

    def encrypt(self, plaintext: bytes | Mapping[str, Any]) -> _Sealed:
        data = plaintext if isinstance(plaintext, bytes) else dumps_compact(dict(plaintext))
        sealed = self._ecies.encrypt_request(data)
        header = EncryptionHeader(self.app.version.value, self.app.application_key).format()
        return _Sealed(json.dumps(sealed.to_json()).encode("utf-8"), {ENCRYPTION_HEADER: header})

    def decrypt(self, response: Mapping[str, Any]) -> bytes:
        return self._ecies.decrypt_response(EciesResponse.from_json(response, self.app.version))


class OnboardingClient:
    """The Onboarding Server as the app sees it, for one app installation.

    ``base_url`` is the Wultra deployment root (the context path is added); ``language`` goes out as
    ``Accept-Language`` (the bank words the SMS in it); ``session`` is the isolation header value.
    """

    def __init__(
        self,
        base_url: str,
        app: AppCredentials,
        *,
        language: str = "en",
        session: str | None = None,
        timeout: float = 30.0,
        http: requests.Session | None = None,
        encryptors: Callable[[], ApplicationEncryptor] | None = None,
    ) -> None:
        self.base = base_url.rstrip("/") + CONTEXT_PATH
        self.app = app
        self.encryptors: Callable[[], ApplicationEncryptor] = encryptors or (lambda: _MasterKeyEncryptor(app))
        self.timeout = timeout
        self.http = http or requests.Session()
        self.http.trust_env = False
        self.http.headers["Accept-Language"] = language
        if session is not None:
            self.http.headers[SESSION_HEADER] = session
        self.process: OnboardingProcess | None = None

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> OnboardingClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------ transport

    def call(self, path: str, request_object: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """One encrypted call; the decrypted ``responseObject`` (``{}`` when the answer has none)."""
        try:
            encryptor = self.encryptors()
            sealed = encryptor.encrypt({"requestObject": dict(request_object or {})})
        except ServerResponseError as exc:  # a 3.3 temporary key that does not verify
            raise OnboardingSecurityError(f"no trustworthy encryption key for {path}: {exc}") from exc
        except PowerAuthSdkError as exc:
            raise OnboardingTransportError(f"no encryption key for {path}: {exc}") from exc
        try:
            response = self.http.post(
                self.base + path, data=sealed.body, timeout=self.timeout,
                headers={"Content-Type": "application/json", **sealed.headers},
            )
        except requests.RequestException as exc:
            raise OnboardingTransportError(f"onboarding server unreachable: {exc}") from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200:
            raise _server_error(response.status_code, body, response.text)
        try:
            if not isinstance(body, Mapping):
                raise ServerResponseError("the answer is not a JSON object")
            plain = encryptor.decrypt(body)
        except (PowerAuthError, ServerResponseError) as exc:
            raise OnboardingSecurityError(f"answer of {path} does not decrypt: {exc}",
                                          http_status=200) from exc
        try:
            answer = json.loads(plain.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise OnboardingSecurityError(f"decrypted answer of {path} is not JSON", http_status=200) from exc
        if not isinstance(answer, dict) or answer.get("status") != "OK":
            raise OnboardingTransportError(f"decrypted answer of {path} is not an OK envelope",
                                           http_status=200)
        inner = answer.get("responseObject", {})
        if not isinstance(inner, dict):
            raise OnboardingTransportError(f"responseObject of {path} is not an object", http_status=200)
        return inner

    def _current(self) -> OnboardingProcess:
        if self.process is None:
            raise ProcessNotStartedError("no onboarding process: call start() first")
        return self.process

    def _process_call(self, operation: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return self.call(PATHS[operation], {"processId": self._current().process_id, **(extra or {})})

    def _identity_call(self, operation: str, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
        process = self._current()
        body = {"processId": process.process_id, "processToken": process.process_token, **(extra or {})}
        return self.call(PATHS[operation], body)

    # ------------------------------------------------------------------------------ onboarding

    def start(
        self,
        identification: Mapping[str, Any],
        *,
        process_type: str = DEFAULT_PROCESS_TYPE,
        fds_data: Mapping[str, Any] | None = None,
    ) -> OnboardingProcess:
        """Step 2: open the process (the server generates the OTP and has the bank send it)."""
        if self.process is not None:
            raise OnboardingError("a process is already in progress: cleanup() first",
                                  code="PROCESS_ALREADY_IN_PROGRESS")
        body: dict[str, Any] = {"identification": dict(identification), "processType": process_type}
        if fds_data is not None:
            body["fdsData"] = dict(fds_data)
        answer = self.call(PATHS["start"], body)
        self.process = OnboardingProcess(
            process_id=_str(answer, "processId", "start"),
            process_token=_str(answer, "processToken", "start"),
            onboarding_status=_str(answer, "onboardingStatus", "start"),
            otp_resend_period_seconds=_resend_period(answer),
            activation_code=answer.get("activationCode") if isinstance(answer.get("activationCode"), str)
            else None,
        )
        return self.process

    def resume(self, process_id: str, process_token: str) -> ProcessStatus:
        """Continue a process started earlier (WDO keeps it across app restarts); returns its status
        as the server reports it now."""
        self.process = OnboardingProcess(process_id, process_token, "")
        current = self.status()
        self.process = OnboardingProcess(process_id, process_token, current.onboarding_status,
                                         current.otp_resend_period_seconds)
        return current

    def status(self) -> ProcessStatus:
        answer = self._process_call("status")
        return ProcessStatus(_str(answer, "processId", "status"), _str(answer, "onboardingStatus", "status"),
                             _resend_period(answer))

    def resend_otp(self) -> None:
        """A new OTP by SMS (refused within the resend period: ``ONBOARDING_OTP_FAILED``)."""
        self._process_call("otp_resend")

    def cleanup(self) -> None:
        """Cancel the process; the client forgets it either way, as WDO's ``cancel(force=true)``."""
        try:
            self._process_call("cleanup")
        finally:
            self.process = None

    # ------------------------------------------------------------------------------ identity

    def identity_init(self) -> None:
        self._identity_call("identity_init")

    def identity_status(self) -> IdentityStatus:
        answer = self._identity_call("identity_status")
        phase = answer.get("identityVerificationPhase")
        return IdentityStatus(_str(answer, "identityVerificationStatus", "identity status"),
                              phase if isinstance(phase, str) else None, answer)

    def wait_for_state(
        self,
        *states: VerificationState,
        timeout: float = 60.0,
        poll_interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> IdentityStatus:
        """Poll ``/api/identity/status`` (the SDK does not poll by itself; the app does, every 1-3 s)
        until the verification reaches one of ``states``, or a terminal one (``failed``/``endState``),
        which is returned too. :class:`OnboardingTimeoutError` after ``timeout`` seconds.

        ``sleep`` is injectable so a test can move the servers' virtual clocks instead of waiting.
        """
        wanted = set(states) | {VerificationState.FAILED, VerificationState.REJECTED}
        deadline = monotonic() + timeout
        while True:
            current = self.identity_status()
            if current.state in wanted:
                return current
            if monotonic() >= deadline:
                raise OnboardingTimeoutError(
                    f"identity verification still {current.phase}/{current.status} after {timeout} s")
            sleep(poll_interval)

    def submit_documents(
        self,
        photos: Sequence[Any] = (),
        *,
        chip: Any | None = None,
        chip_document_type: str = "PASSPORT",
        resubmit: bool = False,
        original_ids: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Step 3: Wultra's v2 submit. One item per photo (``filename``, ``type``, ``side``, Base64
        ``data``; ``originalDocumentId`` per filename when re-uploading a rejected side), and the chip
        files the phone read over NFC as ``chip: {documentType, files}`` (this server's extension:
        Wultra's API has no NFC field)."""
        documents = []
        for photo in photos:
            item: dict[str, Any] = {"filename": photo.filename, "type": str(photo.document_type),
                                    "side": str(photo.side),
                                    "data": b64encode_text(photo.jpeg)}
            if original_ids and photo.filename in original_ids:
                item["originalDocumentId"] = original_ids[photo.filename]
            documents.append(item)
        body: dict[str, Any] = {"resubmit": resubmit, "documents": documents}
        if chip is not None:
            body["chip"] = {"documentType": chip_document_type, "files": chip.to_json()}
        return self._identity_call("document_submit", body)

    def submit_chip(self, evidence: Any, *, document_type: str = "PASSPORT") -> dict[str, Any]:
        """Step 3 (NFC only): the chip files (``EF.COM``, ``DG1.bin``, ``DG2.bin``, ``EF.SOD`` …)."""
        return self.submit_documents((), chip=evidence, chip_document_type=document_type)

    def document_status(self) -> DocumentStatus:
        answer = self._identity_call("document_status")
        documents = answer.get("documents")
        items = tuple(d for d in documents if isinstance(d, Mapping)) if isinstance(documents, list) else ()
        return DocumentStatus(_str(answer, "status", "document status"), items)

    def presence_check_init(self) -> PresenceCheckSession:
        """Step 5: the verification token (and liveness challenge) the face SDK needs."""
        answer = self._identity_call("presence_init")
        attributes = answer.get("sessionAttributes")
        if not isinstance(attributes, Mapping):
            raise OnboardingTransportError("presence-check init answer lacks sessionAttributes")
        token = next((attributes[k] for k in TOKEN_ATTRIBUTES if isinstance(attributes.get(k), str)), None)
        if token is None:
            raise OnboardingTransportError("presence-check init answer carries no verification token")
        challenge = next((attributes[k] for k in CHALLENGE_ATTRIBUTES if k in attributes), None)
        return PresenceCheckSession(token, challenge, attributes)

    def presence_check_submit(self) -> None:
        """Step 7: the scan is done; the server fetches the result from the provider itself."""
        self._identity_call("presence_submit")

    def verify_otp(self, otp_code: str) -> OtpVerification:
        """Step 8: the OTP from the SMS, checked with the face result (pass or fail only)."""
        answer = self._identity_call("otp_verify", {"otpCode": otp_code})
        verified = answer.get("verified")
        if not isinstance(verified, bool):
            raise OnboardingTransportError("otp/verify answer lacks 'verified'")
        status = answer.get("onboardingStatus")
        return OtpVerification(verified, answer.get("expired") is True, _opt_int(answer, "remainingAttempts"),
                               status if isinstance(status, str) else None)

    def resend_identity_otp(self) -> None:
        self._identity_call("identity_otp_resend")

    def activation(self) -> IssuedActivation:
        """Step 8 end: the activation code (and its signature) for the new PowerAuth activation.

        Checked before the app uses it, as the PowerAuth SDK does: Base32 with a valid CRC-16, and
        when signed, signed by the application's master key (else :class:`OnboardingSecurityError`).
        """
        answer = self._identity_call("activation")
        code = _str(answer, "activationCode", "activation")
        signature = answer.get("activationSignature")
        if not is_valid_activation_code(code):
            raise OnboardingSecurityError("the activation code is malformed (Base32 or CRC-16)",
                                          http_status=200)
        if isinstance(signature, str):
            try:
                verify_activation_signature(code, signature, self.app.master_key)
            except PowerAuthError as exc:
                raise OnboardingSecurityError(f"activation code signature: {exc}", http_status=200) from exc
        return IssuedActivation(code, signature if isinstance(signature, str) else None)

    def identity_cleanup(self) -> None:
        """Restart identity verification (the server resets it to ``NOT_INITIALIZED``)."""
        self._identity_call("identity_cleanup")


def _server_error(status: int, body: Any, text: str) -> OnboardingError:
    """The typed error of a non-200 answer, from Wultra's envelope when the answer is one."""
    inner = body.get("responseObject") if isinstance(body, dict) else None
    if not isinstance(body, dict) or body.get("status") != "ERROR" or not isinstance(inner, dict):
        return OnboardingTransportError(f"onboarding server answered {status}: {text[:200]}",
                                        http_status=status)
    raw_code, raw_message = inner.get("code"), inner.get("message")
    code = raw_code if isinstance(raw_code, str) else "ERROR_GENERIC"
    message = raw_message if isinstance(raw_message, str) else ""
    remaining = _opt_int(body, "remainingAttempts")
    return OnboardingServerError(f"{code} ({status}): {message}", code=code, http_status=status,
                                 remaining_attempts=remaining)

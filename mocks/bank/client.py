"""A small client of the bank mock: the adapter calls (as Wultra's onboarding server makes them) and
the party's admin endpoints (registry, alerts), for tests and for other simulated parties.

Adapter methods return the raw ``requests.Response`` (callers check status and body as Wultra's REST
client would); admin methods return parsed JSON and raise :class:`BankClientError` on an error status.
"""

from __future__ import annotations

from typing import Any

import requests

from mocks.framework import SESSION_HEADER
from mocks.framework.admin import ADMIN_TOKEN_HEADER

__all__ = ["BankClient", "BankClientError"]


class BankClientError(RuntimeError):
    """The bank answered an admin call with an error status."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"bank answered {status}: {body[:300]}")
        self.status = status


class BankClient:
    """``BankClient(url, session=None, admin_token=None, auth=None)``; ``auth`` is the adapter's
    optional HTTP Basic pair."""

    def __init__(self, base_url: str, *, session: str | None = None, admin_token: str | None = None,
                 auth: tuple[str, str] | None = None, timeout: float = 10.0) -> None:
        self.url = base_url.rstrip("/")
        self.timeout = timeout
        self.http = requests.Session()
        self.http.trust_env = False
        if session is not None:
            self.http.headers[SESSION_HEADER] = session
        if admin_token is not None:
            self.http.headers[ADMIN_TOKEN_HEADER] = admin_token
        self.http.auth = auth

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> BankClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ adapter (Wultra → bank)

    def post(self, path: str, body: Any) -> requests.Response:
        """POST any JSON to an adapter path (to provoke validation, for instance)."""
        return self.http.post(f"{self.url}{path}", json=body, timeout=self.timeout)

    def lookup(self, identification: dict[str, Any], *, process_id: str = "process-1",
               process_type: str | None = "reactivation") -> requests.Response:
        return self.post("/user/lookup", _drop_none({"processId": process_id, "processType": process_type,
                                                     "identification": identification}))

    def send_otp(self, user_id: str, otp_code: str, *, process_id: str = "process-1",
                 otp_type: str = "ACTIVATION", language: str | None = "en", resend: bool = False,
                 process_type: str | None = "reactivation") -> requests.Response:
        return self.post("/otp/send", _drop_none({
            "processId": process_id, "processType": process_type, "userId": user_id, "language": language,
            "otpCode": otp_code, "otpType": otp_type, "resend": resend}))

    def consent_text(self, consent_type: str = "GDPR", *, user_id: str | None = None,
                     language: str | None = "en", process_id: str = "process-1") -> requests.Response:
        return self.post("/consent/text", _drop_none({"processId": process_id, "userId": user_id,
                                                      "language": language, "consentType": consent_type}))

    def store_consent(self, user_id: str, approved: bool, *, consent_type: str = "GDPR",
                      process_id: str = "process-1") -> requests.Response:
        return self.post("/consent/storage", {"processId": process_id, "userId": user_id,
                                              "consentType": consent_type, "approved": approved})

    def evaluate(self, user_id: str, *, extracted_data: Any = None, process_id: str = "process-1",
                 identity_verification_id: str = "iv-1", provider: str | None = "mock") -> requests.Response:
        return self.post("/client/evaluate", _drop_none({
            "processId": process_id, "identityVerificationId": identity_verification_id, "userId": user_id,
            "verificationId": "verification-1", "provider": provider, "extractedData": extracted_data}))

    def approve(self, user_id: str, *, result: float | None = 9, process_id: str = "process-1",
                process_type: str = "reactivation") -> requests.Response:
        return self.post("/client/approval", _drop_none({
            "processId": process_id, "processType": process_type, "userId": user_id,
            "identityVerificationId": "iv-1", "provider": "iProov", "result": result}))

    def process_event(self, event_type: str = "FINISHED", *, user_id: str | None = None,
                      process_id: str = "process-1", data: dict[str, Any] | None = None) -> requests.Response:
        body = {"processId": process_id, "identityVerificationId": "iv-1", "userId": user_id,
                "type": event_type, "data": data}
        return self.post("/process/event", _drop_none(body))

    # ------------------------------------------------------------------ admin

    def _admin(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"{self.url}/_admin{path}", timeout=self.timeout, **kwargs)
        if not 200 <= response.status_code < 300:
            raise BankClientError(response.status_code, response.text)
        return response.json()

    def generate_clients(self, seed: int, count: int, *, start: int = 0,
                         locale: str | None = None) -> dict[str, Any]:
        body = _drop_none({"seed": seed, "count": count, "start": start, "locale": locale})
        return dict(self._admin("POST", "/clients/generate", json=body))

    def add_client(self, customer: dict[str, Any]) -> dict[str, Any]:
        return dict(self._admin("POST", "/clients", json=customer))

    def clients(self, status: str | None = None) -> list[dict[str, Any]]:
        params = {"status": status} if status is not None else None
        return list(self._admin("GET", "/clients", params=params)["clients"])

    def client(self, user_id: str) -> dict[str, Any]:
        return dict(self._admin("GET", f"/clients/{user_id}"))

    def set_client_status(self, user_id: str, status: str) -> dict[str, Any]:
        return dict(self._admin("PATCH", f"/clients/{user_id}", json={"status": status}))

    def delete_client(self, user_id: str) -> None:
        self._admin("DELETE", f"/clients/{user_id}")

    def clear_clients(self) -> int:
        return int(self._admin("DELETE", "/clients")["deleted"])

    def alerts(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", "/alerts")["alerts"])

    def alert(self, alert_id: str) -> dict[str, Any]:
        return dict(self._admin("GET", f"/alerts/{alert_id}"))

    def consents(self, user_id: str | None = None) -> list[dict[str, Any]]:
        params = {"userId": user_id} if user_id is not None else None
        return list(self._admin("GET", "/consents", params=params)["consents"])

    def evaluations(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", "/evaluations")["evaluations"])

    def approvals(self) -> list[dict[str, Any]]:
        return list(self._admin("GET", "/approvals")["approvals"])

    def set_alert_faults(self, **faults: Any) -> dict[str, Any]:
        """PUT the session's alert-service faults (``seed``, ``refuse``, ``drop``)."""
        return dict(self._admin("PUT", "/alert-faults", json=faults))

    def clear_alert_faults(self) -> None:
        response = self.http.delete(f"{self.url}/_admin/alert-faults", timeout=self.timeout)
        if response.status_code != 204:
            raise BankClientError(response.status_code, response.text)

    def events(self, **filters: str) -> list[dict[str, Any]]:
        return list(self._admin("GET", "/events", params=filters or None)["events"])


def _drop_none(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}

"""Routes of the PowerAuth Server REST API (every method is POST, as on the real server)."""

from __future__ import annotations

from flask import Blueprint

from . import activation_responses as act
from . import application_extras as extras
from . import audit_responses as aud
from . import callback_responses as cb
from . import responses
from . import security_responses as sec
from . import token_responses as tok

URL_PREFIX = "/powerauth-java-server/rest/v3"

ROUTES = {
    "/status": responses.system_status,
    "/application/list": responses.application_list,
    "/application/detail": responses.application_detail,
    "/application/detail/version": responses.application_lookup_by_key,
    "/application/create": responses.application_create,
    "/application/version/create": responses.version_create,
    "/application/version/support": responses.version_support,
    "/application/version/unsupport": responses.version_unsupport,
    "/application/roles/list": extras.roles_list,
    "/application/roles/create": extras.roles_create,
    "/application/roles/update": extras.roles_update,
    "/application/roles/remove": extras.roles_remove,
    "/application/config/detail": extras.config_detail,
    "/application/config/create": extras.config_create,
    "/application/config/remove": extras.config_remove,
    "/application/callback/create": cb.callback_create,
    "/application/callback/update": cb.callback_update,
    "/application/callback/list": cb.callback_list,
    "/application/callback/remove": cb.callback_remove,
    "/activation/init": act.activation_init,
    "/activation/prepare": act.activation_prepare,
    "/activation/create": act.activation_create,
    "/activation/commit": act.activation_commit,
    "/activation/status": act.activation_status,
    "/activation/remove": act.activation_remove,
    "/activation/block": act.activation_block,
    "/activation/unblock": act.activation_unblock,
    "/activation/otp/update": act.activation_otp_update,
    "/activation/list": act.activation_list,
    "/activation/lookup": act.activation_lookup,
    "/activation/flags/list": act.flags_list,
    "/activation/flags/create": act.flags_create,
    "/activation/flags/update": act.flags_update,
    "/activation/flags/remove": act.flags_remove,
    "/activation/history": aud.activation_history,
    "/activation/name/update": aud.activation_rename,
    "/activation/status/update": aud.activation_status_update,
    "/signature/list": aud.signature_list,
    "/error/list": aud.error_list,
    "/keystore/create": sec.keystore_create,
    "/keystore/remove": sec.keystore_remove,
    "/ecies/decryptor": sec.ecies_decryptor,
    "/signature/verify": sec.signature_verify,
    "/signature/offline/personalized/create": sec.offline_personalized_create,
    "/signature/offline/non-personalized/create": sec.offline_non_personalized_create,
    "/signature/offline/verify": sec.offline_verify,
    "/signature/ecdsa/verify": sec.ecdsa_verify,
    "/token/create": tok.token_create,
    "/token/validate": tok.token_validate,
    "/token/remove": tok.token_remove,
    "/vault/unlock": tok.vault_unlock,
}


def powerauth_server_blueprint() -> Blueprint:
    """A fresh blueprint (one per app, so several apps can live in one process)."""
    bp = Blueprint("powerauth_server", __name__, url_prefix=URL_PREFIX)
    for path, handler in ROUTES.items():
        endpoint = path.strip("/").replace("/", "_")
        bp.add_url_rule(path, endpoint=endpoint, view_func=handler, methods=["POST"])
    return bp

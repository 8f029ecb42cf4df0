"""``rsim device …``: a virtual phone pointed at any Enrollment Server (ours or a real deployment).

Each command loads the phone from ``--storage FILE``, runs one SDK operation over HTTP and saves the
phone back (the signature counter moves even when the server refuses a signature). Errors print a
one-line reason and exit with status 1. A session against ``rsim serve``::

    rsim device activate --enrollment http://127.0.0.1:8080 --sdk-config "$CONFIG" \\
        --code "$CODE#$SIGNATURE" --pin 1234 --storage phone.json   # activation id, fingerprint
    rsim device status --storage phone.json                          # PENDING_COMMIT, then ACTIVE
    echo '{"amount":"10"}' | rsim device sign --storage phone.json --pin 1234 --uri-id /pa/payment --body -
    rsim device remove --storage phone.json --pin 1234
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import click

from simulator.device.powerauth_sdk import InvalidConfigError, PowerAuthConfig, PowerAuthSdkError
from simulator.device.powerauth_sdk.http import enrollment_base_url
from simulator.device.profile import PhoneProfile
from simulator.powerauth.signature import SignatureType

FACTORS = click.Choice([t.value for t in SignatureType if t.value.startswith("possession")])
STORAGE_OPTION = click.option(
    "--storage", "storage_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
    help="The phone's file (created by 'activate', updated by every command).",
)


@contextmanager
def _sdk_errors() -> Iterator[None]:
    """Typed SDK errors become a clean one-line failure instead of a traceback."""
    try:
        yield
    except PowerAuthSdkError as exc:
        raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc


@contextmanager
def _phone(path: Path) -> Iterator[PhoneProfile]:
    """Load the phone, run the command, save it back - also when the command fails on the server."""
    with _sdk_errors():
        profile = PhoneProfile.load(path)
    try:
        with _sdk_errors():
            yield profile
    finally:
        profile.save(path)


@click.group(name="device")
def device_group() -> None:
    """A virtual phone with the PowerAuth mobile SDK, pointed at an Enrollment Server by URL."""


@device_group.command()
@click.option("--enrollment", required=True,
              help="Enrollment Server URL; a bare http://host:port (as 'rsim serve' prints) gets "
                   "/enrollment-server appended.")
@click.option("--app-key", help="Application key (Base64).")
@click.option("--app-secret", help="Application secret (Base64).")
@click.option("--master-public-key", help="Master public key (Base64).")
@click.option("--sdk-config", help="Wultra's single Base64 mobile SDK config instead of the three values.")
@click.option("--code", required=True, help="Activation code, or CODE#SIGNATURE as in the QR code.")
@click.option("--signature", help="The activation code's signature (Base64), when not in --code.")
@click.option("--pin", required=True, help="The PIN that will protect the knowledge factor.")
@click.option("--version", "version", default="3.3", show_default=True,
              type=click.Choice(["3.1", "3.2", "3.3"]))
@click.option("--name", default="rsim virtual phone", show_default=True, help="Activation name.")
@click.option("--otp", help="Activation OTP, when the bank requires one on key exchange.")
@click.option("--session", help="X-Sim-Session isolation header sent with every request.")
@click.option("--biometry/--no-biometry", default=False, help="Enable the biometry factor.")
@STORAGE_OPTION
def activate(enrollment: str, app_key: str | None, app_secret: str | None, master_public_key: str | None,
             sdk_config: str | None, code: str, signature: str | None, pin: str, version: str, name: str,
             otp: str | None, session: str | None, biometry: bool, storage_path: Path) -> None:
    """Create an activation from a code and persist it under the PIN; prints its ID and fingerprint."""
    with _sdk_errors():
        if storage_path.exists() and PhoneProfile.load(storage_path).storage.activation is not None:
            raise click.ClickException(
                f"{storage_path} already holds an activated phone; 'remove' it or use another file"
            )
        config = _config(app_key, app_secret, master_public_key, sdk_config, version)
        try:
            url = enrollment_base_url(enrollment)
        except InvalidConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="--enrollment") from exc
        profile = PhoneProfile(url, config, session=session)
        sdk = profile.sdk()
        result = sdk.create_activation(code, signature=signature, name=name, activation_otp=otp)
        sdk.persist_activation(pin, enable_biometry=biometry)
        profile.save(storage_path)
    click.echo(f"activation id: {result.activation_id}")
    click.echo(f"fingerprint: {result.fingerprint}")


def _config(app_key: str | None, app_secret: str | None, master_public_key: str | None,
            sdk_config: str | None, version: str) -> PowerAuthConfig:
    if sdk_config is not None:
        if app_key or app_secret or master_public_key:
            raise click.UsageError("give either --sdk-config or the three key options, not both")
        return PowerAuthConfig.from_sdk_config(sdk_config, version)
    if not (app_key and app_secret and master_public_key):
        raise click.UsageError(
            "--app-key, --app-secret and --master-public-key are required without --sdk-config"
        )
    try:
        return PowerAuthConfig.from_values(app_key, app_secret, master_public_key, version)
    except InvalidConfigError as exc:
        raise click.UsageError(str(exc)) from exc


@device_group.command()
@click.option("--json", "as_json", is_flag=True, help="Print every decrypted field as JSON.")
@STORAGE_OPTION
def status(as_json: bool, storage_path: Path) -> None:
    """Fetch and decrypt the activation status (prints e.g. ACTIVE, BLOCKED, REMOVED)."""
    with _phone(storage_path) as profile:
        info = profile.sdk().fetch_activation_status()
    if as_json:
        click.echo(json.dumps({
            "activationId": info.activation_id, "status": info.status.name,
            "failedAttempts": info.failed_attempts, "maxFailedAttempts": info.max_failed_attempts,
            "remainingAttempts": info.remaining_attempts, "counter": info.counter.value,
        }))
    else:
        click.echo(info.status.name)


@device_group.command()
@click.option("--pin", help="The PIN (needed for factors with knowledge).")
@click.option("--method", default="POST", show_default=True, help="HTTP method of the signed request.")
@click.option("--uri-id", required=True, help="Logical resource ID, e.g. /pa/signature/validate.")
@click.option("--body", "body_file", type=click.File("rb"), required=True,
              help="Request body file ('-': stdin).")
@click.option("--factors", type=FACTORS, default="possession_knowledge", show_default=True)
@STORAGE_OPTION
def sign(
    pin: str | None, method: str, uri_id: str, body_file: IO[bytes], factors: str, storage_path: Path
) -> None:
    """Sign a request; prints the X-PowerAuth-Authorization header value."""
    body = body_file.read()
    with _phone(storage_path) as profile:
        header = profile.sdk().sign(method, uri_id, body, factors, pin=pin)
    click.echo(header)


@device_group.command(name="sign-offline")
@click.option("--qr", "qr_file", type=click.File("r"), required=True,
              help="File with the QR code's text (offlineData); '-' reads stdin.")
@click.option("--pin", help="The PIN (needed for factors with knowledge).")
@click.option("--uri-id", default="/operation/authorize/offline", show_default=True)
@click.option("--factors", type=click.Choice(["possession_knowledge", "possession_biometry"]),
              default="possession_knowledge", show_default=True)
@STORAGE_OPTION
def sign_offline(qr_file: IO[str], pin: str | None, uri_id: str, factors: str, storage_path: Path) -> None:
    """Check a server-signed QR payload and print the offline signature digits to type in."""
    text = qr_file.read().rstrip("\r\n")
    with _phone(storage_path) as profile:
        digits = profile.sdk().sign_offline(text, uri_id, factors, pin=pin)
    click.echo(digits)


@device_group.command()
@click.option("--pin", required=True, help="The PIN (removal is signed with possession and knowledge).")
@STORAGE_OPTION
def remove(pin: str, storage_path: Path) -> None:
    """Remove the activation on the server, then on the phone."""
    with _phone(storage_path) as profile:
        sdk = profile.sdk()
        activation_id = sdk.activation_id
        sdk.remove_activation(pin)
    click.echo(f"removed: {activation_id}")


@device_group.command()
@click.option("--pin", help="The PIN (needed for factors with knowledge).")
@click.option("--factors", type=FACTORS, default="possession_knowledge", show_default=True)
@click.option("--name", default="default", show_default=True, help="Name the token is kept under.")
@click.option("--new", "force_new", is_flag=True, help="Create a new token even if one is kept.")
@STORAGE_OPTION
def token(pin: str | None, factors: str, name: str, force_new: bool, storage_path: Path) -> None:
    """Create (or reuse) a token; prints a fresh X-PowerAuth-Token header value."""
    with _phone(storage_path) as profile:
        sdk = profile.sdk()
        kept = None if force_new else sdk.token(name)
        header = sdk.token_header(kept or sdk.create_token(factors, pin=pin, name=name))
    click.echo(header)


@device_group.command(name="unlock-vault")
@click.option("--pin", required=True)
@click.option("--reason", default="NOT_SPECIFIED", show_default=True)
@STORAGE_OPTION
def unlock_vault(pin: str, reason: str, storage_path: Path) -> None:
    """Unlock the secure vault (signed); checks the vault key opens the device private key."""
    with _phone(storage_path) as profile:
        sdk = profile.sdk()
        sdk.unlock_vault(pin, reason)
    click.echo(f"vault unlocked: {sdk.activation_id}")

"""Doc 9303-11 Appendix D.2-D.4 worked example, every value, as known answers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from simulator.identity.chip import bac
from simulator.identity.chip.apdu import CommandApdu, ResponseApdu
from simulator.identity.chip.chip import VirtualChip
from simulator.identity.chip.image import ChipImage
from simulator.identity.chip.lds import EF_COM_FID
from simulator.identity.chip.mrz_key import MrzKey
from simulator.identity.chip.reader import ChipReader
from simulator.identity.chip.sm import SecureChannel
from simulator.identity.chip.tdes import derive_key, pad, retail_mac

h = bytes.fromhex

OLD_TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C<3UTO6908061F9406236ZE184226B<<<<<14"]
MRZ_INFORMATION = "L898902C<369080619406236"
SHA1_MRZ = h("239AB9CB282DAF66231DC5A4DF6BFBAEDF477565")
K_SEED = h("239AB9CB282DAF66231DC5A4DF6BFBAE")
SHA1_ENC = h("AB94FCEDF2664EDFB9B291F85D7F77F27F2F4A9D")
SHA1_MAC = h("7862D9ECE03C1BCD4D77089DCF131442814EA70A")
K_ENC = h("AB94FDECF2674FDFB9B391F85D7F76F2")
K_MAC = h("7962D9ECE03D1ACD4C76089DCE131543")
RND_IC = h("4608F91988702212")
RND_IFD = h("781723860C06C226")
K_IFD = h("0B795240CB7049B01C19B33E32804F0B")
S = h("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B")
E_IFD = h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
M_IFD = h("5F1448EEA8AD90A7")
E_IC = h("46B9342A41396CD7386BF5803104D7CEDC122B9132139BAF2EEDC94EE178534F")
M_IC = h("2F2D235D074D7449")
R = h("4608F91988702212781723860C06C2260B4F80323EB3191CB04970CB4052790B")
K_IC = h("0B4F80323EB3191CB04970CB4052790B")
K_SEED_SESSION = h("0036D272F5C350ACAC50C3F572D23600")
KS_ENC = h("979EC13B1CBFE9DCD01AB0FED307EAE5")
KS_MAC = h("F1CB1F1FB5ADF208806B89DC579DC1F8")
SSC = 0x887022120C06C226
EF_COM = h("60145F0104303130365F36063034303030305C026175")

MAC_INPUT = h("887022120C06C2270CA4020C800000008709016375432908C044F6")
MAC_INPUT_PADDED = h("887022120C06C2270CA4020C800000008709016375432908C044F68000000000")
SELECT_MAC = h("BF8B92D635FF24F8")
SELECT_PROTECTED = h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
SELECT_RESPONSE = h("990290008E08FA855A5D4C50A8ED9000")
READ4_PROTECTED = h("0CB000000D9701048E08ED6705417E96BA5500")
READ4_RESPONSE = h("8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000")
READ18_PROTECTED = h("0CB000040D9701128E082EA28A70F3C7B53500")
READ18_RESPONSE = h("871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000")


def test_d2_key_seed_and_basic_access_keys() -> None:
    key = MrzKey.from_mrz_lines(OLD_TD3)
    assert key.information() == MRZ_INFORMATION
    assert hashlib.sha1(MRZ_INFORMATION.encode()).digest() == SHA1_MRZ
    assert bac.key_seed(MRZ_INFORMATION) == K_SEED
    assert hashlib.sha1(K_SEED + b"\x00\x00\x00\x01").digest() == SHA1_ENC
    assert hashlib.sha1(K_SEED + b"\x00\x00\x00\x02").digest() == SHA1_MAC
    keys = bac.KeyPair.from_mrz_key(key)
    assert (keys.enc, keys.mac) == (K_ENC, K_MAC)
    assert derive_key(K_SEED, 1) == K_ENC


def test_d3_terminal_cryptogram() -> None:
    keys = bac.KeyPair(K_ENC, K_MAC)
    data = bac.terminal_command(keys, RND_IC, RND_IFD, K_IFD)
    assert data == E_IFD + M_IFD
    assert retail_mac(K_MAC, E_IFD) == M_IFD
    assert bac.open_sealed(keys, data) == S


def test_d3_chip_answer_and_session_keys() -> None:
    keys = bac.KeyPair(K_ENC, K_MAC)
    answer, chip_session = bac.chip_response(keys, E_IFD + M_IFD, RND_IC, K_IC)
    assert answer == E_IC + M_IC
    assert bac.open_sealed(keys, answer) == R
    session = bac.terminal_finish(keys, answer, RND_IC, RND_IFD, K_IFD)
    assert bytes(a ^ b for a, b in zip(K_IFD, K_IC, strict=True)) == K_SEED_SESSION
    assert (session.keys.enc, session.keys.mac, session.ssc) == (KS_ENC, KS_MAC, SSC)
    assert chip_session == session


def test_d4_secure_messaging_reader_side() -> None:
    channel = SecureChannel(bac.KeyPair(KS_ENC, KS_MAC), SSC)
    select = channel.protect_command(CommandApdu(0x00, 0xA4, 0x02, 0x0C, h("011E")))
    assert channel.ssc == 0x887022120C06C227
    assert select.to_bytes() == SELECT_PROTECTED
    assert pad(MAC_INPUT) == MAC_INPUT_PADDED
    assert retail_mac(KS_MAC, MAC_INPUT) == SELECT_MAC
    assert channel.unprotect_response(SELECT_RESPONSE).sw == 0x9000
    assert channel.ssc == 0x887022120C06C228

    assert channel.protect_command(CommandApdu(0x00, 0xB0, 0x00, 0x00, le=4)).to_bytes() == READ4_PROTECTED
    assert channel.unprotect_response(READ4_RESPONSE).data == h("60145F01")
    assert channel.ssc == 0x887022120C06C22A

    read18 = channel.protect_command(CommandApdu(0x00, 0xB0, 0x00, 0x04, le=0x12))
    assert read18.to_bytes() == READ18_PROTECTED
    assert channel.unprotect_response(READ18_RESPONSE).data == h("04303130365F36063034303030305C026175")
    assert channel.ssc == 0x887022120C06C22C


def test_d4_secure_messaging_chip_side() -> None:
    channel = SecureChannel(bac.KeyPair(KS_ENC, KS_MAC), SSC)
    inner = channel.unprotect_command(CommandApdu.parse(SELECT_PROTECTED))
    assert inner == CommandApdu(0x00, 0xA4, 0x02, 0x0C, h("011E"))
    assert channel.protect_response(ResponseApdu(b"", 0x9000)) == SELECT_RESPONSE
    assert channel.unprotect_command(CommandApdu.parse(READ4_PROTECTED)) == CommandApdu(0, 0xB0, 0, 0, le=4)
    assert channel.protect_response(ResponseApdu(h("60145F01"), 0x9000)) == READ4_RESPONSE


def test_whole_example_replayed_between_virtual_chip_and_reader(
    scripted_rng: Callable[..., Callable[[int], bytes]],
) -> None:
    """The reader and chip, given the example's random numbers, exchange exactly the published APDUs."""
    image = ChipImage({EF_COM_FID: EF_COM}, bac.key_seed(MRZ_INFORMATION))
    chip = VirtualChip(image, rng=scripted_rng(RND_IC, K_IC))
    transcript: list[tuple[bytes, bytes]] = []

    def link(apdu: bytes) -> bytes:
        response = chip.transceive(apdu)
        transcript.append((apdu, response))
        return response

    reader = ChipReader(link, rng=scripted_rng(RND_IFD, K_IFD))
    reader.select_application()
    reader.authenticate(MrzKey.from_mrz_lines(OLD_TD3))
    assert reader.read_file(EF_COM_FID) == EF_COM
    assert transcript[1] == (h("0084000008"), RND_IC + h("9000"))
    assert transcript[2] == (h("0082000028") + E_IFD + M_IFD + h("28"), E_IC + M_IC + h("9000"))
    assert transcript[3:] == [
        (SELECT_PROTECTED, SELECT_RESPONSE),
        (READ4_PROTECTED, READ4_RESPONSE),
        (READ18_PROTECTED, READ18_RESPONSE),
    ]

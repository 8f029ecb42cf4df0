@step-3
Feature: The passport chip
  Chip evidence is read over NFC after BAC (keys from the MRZ) and must pass passive
  authentication: data group hashes match EF.SOD, whose signer chains to a trusted CSCA.

  @RX-08 @positive @smoke
  Scenario: A genuine chip passes passive authentication
    Given the persona "honest-passport-chip"
    When the client goes through the reactivation
    Then the client is reactivated

  @RX-08 @negative
  Scenario: A chip whose portrait was replaced after signing is rejected
    Given the persona "tampered-chip"
    When the client goes through the reactivation
    Then the reactivation stops at step 4

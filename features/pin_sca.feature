@step-11
Feature: PIN and strong customer authentication
  The PIN protects the knowledge factor; the new activation signs with possession and knowledge;
  the client's previous activations are removed.

  @RX-18 @RX-20 @positive @smoke
  Scenario: The right PIN signs a request the PowerAuth server verifies
    Given the client is reactivated with a PIN
    When the client signs a request with the right PIN
    Then the signature verifies

  @RX-18 @RX-20 @negative
  Scenario: A wrong PIN's signature does not verify
    Given the client is reactivated with a PIN
    When the client signs a request with a wrong PIN
    Then the signature does not verify

  @RX-18 @negative
  Scenario: Five wrong PINs block the activation
    Given the client is reactivated with a PIN
    When the client signs a request with a wrong PIN 5 times
    Then the signature does not verify
    And the activation is BLOCKED because of MAX_FAILED_ATTEMPTS

  @RX-19 @positive @smoke
  Scenario: After reactivation only the new activation is ACTIVE
    Given the client is reactivated with a PIN
    Then the old activation is REMOVED
    And exactly one activation of the client is ACTIVE

  @RX-19 @negative
  Scenario: A failed reactivation leaves the old activation as it was
    Given the persona "impostor"
    When the client goes through the reactivation
    Then the reactivation stops at step 8
    And the old activation is BLOCKED

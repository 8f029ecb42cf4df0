@step-9 @step-10
Feature: Device activation
  The phone creates the new activation with a two-layer ECIES key exchange, checks the server's
  answer and agrees with the server on the fingerprint; personal data travels encrypted.

  @RX-17 @positive @smoke
  Scenario Outline: The activation is created and ACTIVE with protocol <version>
    Given a bank client
    And the phone speaks PowerAuth protocol <version>
    When the client completes the reactivation
    Then the phone and the server agree on the activation fingerprint
    And the new activation is ACTIVE

    Examples:
      | version |
      | 3.1     |
      | 3.2     |
      | 3.3     |

  @RX-17 @negative
  Scenario: The phone refuses a mistyped activation code before sending it
    Given the client has been issued an activation code
    When the phone creates the activation with a mistyped code
    Then the phone refuses the code before sending it
    And the old activation is BLOCKED

  @RX-17 @negative
  Scenario: The phone rejects an activation answer altered on the way
    Given the client has been issued an activation code
    And the network alters the MAC of the server's activation answer
    When the phone creates the activation with the code
    Then the phone rejects the server's answer
    And the phone holds no activation

  @RX-17 @negative
  Scenario: The server refuses an activation request altered on the way
    Given the client has been issued an activation code
    And the network alters the MAC of the phone's activation request
    When the phone creates the activation with the code
    Then the server refuses the activation request
    And the phone holds no activation

  @RX-22 @positive @step-2 @step-3 @step-8
  Scenario: Every call between the app and the onboarding server is encrypted
    Given the client has been issued an activation code
    Then every call between the app and the onboarding server is ECIES-encrypted

  @RX-22 @negative @step-2 @smoke
  Scenario: A plain-text request to the onboarding server is refused
    Given a bank client
    Then a plain request to the onboarding server is refused

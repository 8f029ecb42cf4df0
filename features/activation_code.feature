@step-8
Feature: The activation code
  The OTP is checked only after a positive face check, the code is issued only when both passed,
  and the app never learns which factor failed. The code is well-formed, signed, single-use,
  short-lived and bound to the reactivated client.

  @RX-14 @RX-16 @positive @smoke
  Scenario: Both factors positive: a well-formed, signed activation code
    Given the client has reached the face check
    When the client scans their own face
    And the client types the OTP from the SMS
    And the phone asks for the activation code
    Then an activation code is issued
    And the activation code is well-formed and signed by the application

  @RX-14 @negative
  Scenario: An OTP typed before the face check is refused and not consumed
    Given the client has reached the face check
    When the client types the OTP from the SMS
    Then the OTP is not consumed

  @RX-14 @negative
  Scenario: No activation code before the client is verified
    Given the client has reached the face check
    When the client scans their own face
    And the phone asks for the activation code
    Then no activation code is issued

  @RX-15 @positive
  Scenario: The app learns only that the client is verified
    Given the client has reached the face check
    When the client scans their own face
    And the client types the OTP from the SMS
    Then the client is verified

  @RX-15 @negative @smoke
  Scenario: A failed face and a wrong OTP look alike to the app
    Given the client has reached the face check
    When the client scans another person's face
    And the client types the OTP from the SMS
    Then the app is told only that verification failed
    When the client scans their own face
    And the client types a wrong OTP
    Then the app is told only that verification failed
    And the two failures look identical to the app

  @RX-15 @negative
  Scenario Outline: Whole journeys that fail at the face or the OTP end alike
    Given the persona "<persona>"
    When the client goes through the reactivation
    Then the app is told only that verification failed

    Examples:
      | persona           |
      | impostor          |
      | replayed-liveness |
      | otp-always-wrong  |

  @RX-16 @positive @step-9
  Scenario: The activation belongs to the reactivated client
    Given the client has been issued an activation code
    When the phone creates the activation with the code
    And the client sets the PIN
    Then the activation belongs to the reactivated client

  @RX-16 @negative @step-9
  Scenario: An activation code works only once
    Given the client has been issued an activation code
    When the phone creates the activation with the code
    And another phone creates an activation with the same code
    Then the second activation is refused

  @RX-16 @negative @step-9
  Scenario: An activation code expires after five minutes
    Given the client has been issued an activation code
    When 301 seconds pass
    And the phone creates the activation with the code
    Then the activation is refused

  @RX-14 @negative @step-7
  Scenario: Another person's face gets no activation code, even with the right OTP
    Given the client has reached the face check
    When the client scans another person's face
    And the client types the OTP from the SMS
    And the phone asks for the activation code
    Then no activation code is issued

Feature: Failing dependencies
  A failing SMS gateway, biometry provider or bank gives the app a clear error; nothing
  half-finished is left ACTIVE and the process can go on once the dependency is back.

  @RX-23 @negative @step-3 @smoke
  Scenario: The document provider is down when the evidence is submitted
    Given a bank client with an ID card
    And the document provider is down
    When the client starts the reactivation
    And the client presents the evidence
    Then the app gets a clear error, not a server failure
    And no activation of the client is ACTIVE

  @RX-23 @positive @step-3
  Scenario: The evidence goes through once the document provider is back
    Given a bank client with an ID card
    And the document provider is down
    When the client starts the reactivation
    And the client presents the evidence
    And the document provider is back
    And the client presents the evidence again
    Then the evidence is verified

  @RX-23 @negative @step-5
  Scenario: The face provider is down when the token is requested
    Given the client has reached the face check
    When the face provider goes down
    And the phone asks for a verification token
    Then the app gets a clear error, not a server failure
    And no activation of the client is ACTIVE

  @RX-23 @positive @step-5
  Scenario: The face check goes through once the face provider is back
    Given the client has reached the face check
    When the face provider goes down
    And the phone asks for a verification token
    And the face provider is back
    And the client scans their own face
    And the client types the OTP from the SMS
    Then the client is verified

  @RX-23 @RX-05 @positive @step-2
  Scenario: A dropped SMS is made good by a new OTP
    Given a bank client
    And SMS messages are dropped
    When the client starts the reactivation
    Then the client's handset receives no SMS
    When SMS delivery is back to normal
    And 31 seconds pass
    And the client asks for a new OTP
    Then a new OTP reaches the client's handset

  @RX-23 @positive @step-2
  Scenario: A late SMS still brings a valid OTP
    Given a bank client
    And SMS messages are delayed by 120 seconds
    When the client starts the reactivation
    Then the client's handset receives no SMS
    When 2 minutes pass
    Then an SMS with an 8-digit OTP reaches the client's handset

  @RX-23 @negative @step-2
  Scenario: The bank adapter is down when the OTP is to be sent
    Given a bank client
    And the bank adapter is down
    When the client starts the reactivation
    Then the client's handset receives no SMS
    And no activation of the client is ACTIVE
